/** A waveform of the <audio> element's file (wavesurfer.js drives the same element, so both stay in step). */
import { useEffect, useRef } from 'preact/hooks';
import WaveSurfer from 'wavesurfer.js';

export function Waveform({ audio, url, onError }: { audio: HTMLAudioElement | null; url: string; onError: () => void }) {
  const container = useRef<HTMLDivElement>(null);
  const reportError = useRef(onError);
  reportError.current = onError;
  useEffect(() => {
    if (!audio || !container.current) return;
    const surfer = WaveSurfer.create({
      container: container.current,
      media: audio,
      url,
      height: 72,
      waveColor: '#9db4d6',
      progressColor: '#2f5fa7',
      cursorColor: '#d9480f',
      barWidth: 2,
      barGap: 1,
      barRadius: 1,
      normalize: true,
      dragToSeek: true,
    });
    // A waveform that cannot be drawn (another origin without CORS, an unusual codec) must not take
    // the player down with it: it is hidden and the player says why.
    surfer.on('error', () => {
      container.current?.classList.add('waveform-failed');
      reportError.current();
    });
    return () => {
      container.current?.classList.remove('waveform-failed');
      surfer.destroy();
    };
  }, [audio, url]);
  return <div class="waveform" ref={container} data-testid="waveform" aria-hidden="true" />;
}
