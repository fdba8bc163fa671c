/** `narrate say`: synthesise text to a file (or stdout) without a server, through the same pipeline as jobs. */
import type { Command } from 'commander';
import { open, readFile, writeFile } from 'node:fs/promises';
import { createVoices } from '../app/narrate.js';
import { createSpeechService } from '../speech/speech.service.js';
import { parseEditingConfig } from '../jobs/editing-config.models.js';
import { isAppError } from '../shared/errors.js';
import { addConfigOptions, configFrom } from './config-options.js';
import { UsageError } from './usage-error.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The say flags behind EditingConfig's fields, so an error names what the user typed. */
const FLAG_OF_PARAM: Record<string, string> = {
  'EditingConfig.voice': '--voice',
  'EditingConfig.format': '--format',
  'EditingConfig.sample_rate': '--sample-rate',
  'EditingConfig.volume': '--volume',
  'EditingConfig.speech_rate': '--speech-rate',
  'EditingConfig.pitch_rate': '--pitch-rate',
};

/** A whole number as typed; Number() would turn "" (an unset shell variable) into 0, silence. */
function wholeNumber(flag: string, value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError('say', `${flag}: expected a whole number, got "${value}"`);
  return Number(value);
}

async function readInput(text: string | undefined, file: string | undefined): Promise<string> {
  if (file !== undefined && text !== undefined) throw new UsageError('say', 'give TEXT or --input FILE, not both');
  if (file !== undefined && file !== '-') return readFile(file, 'utf8');
  if (text !== undefined && text !== '-') return text;
  // Nothing given at a terminal would wait silently for input the user does not know to type.
  if (file === undefined && text === undefined && process.stdin.isTTY) throw new UsageError('say', 'give TEXT, --input FILE, or - to read standard input');
  return readStdin();
}

export function registerSayCommand(program: Command, env: Record<string, string | undefined>) {
  const command = program
    .command('say')
    .description('Speak TEXT (or --input FILE, or - for stdin) into an audio file. Same settings and ranges as EditingConfig.')
    .argument('[text]', 'text or SSML to speak; "-" reads standard input')
    .option('-i, --input <file>', 'read the text from a file ("-" for standard input)')
    .option('--voice <name>', 'voice name (narrate voices list)', 'Xiaoyun')
    .option('--format <format>', 'mp3, wav or pcm (default: from the output file name, else mp3)')
    .option('--sample-rate <hz>', '8000, 16000, 24000 or 48000', '16000')
    .option('--volume <0-100>', 'loudness, 50 = unchanged', '50')
    .option('--speech-rate <-500..500>', 'speed: -500 = 0.5×, 500 = 2×', '0')
    .option('--pitch-rate <-500..500>', 'pitch: -500 = an octave down, 500 = an octave up', '0')
    .option('-o, --output <file>', 'audio file to write ("-" for stdout; default narrate.<format>)')
    .option('--timings <file>', 'write the sentence timings (AiResult) as JSON');
  addConfigOptions(command, 'say');
  command.action(async (text: string | undefined, options: Record<string, string>) => {
    const config = configFrom(command, env);
    const input = await readInput(text, options.input);
    const numbers = {
      sampleRate: wholeNumber('--sample-rate', options.sampleRate),
      volume: wholeNumber('--volume', options.volume),
      speechRate: wholeNumber('--speech-rate', options.speechRate),
      pitchRate: wholeNumber('--pitch-rate', options.pitchRate),
    };
    // `-o speech.wav` means WAV: an output name's audio extension picks the format unless --format says otherwise.
    const format = options.format ?? /\.(mp3|wav|pcm)$/i.exec(options.output ?? '')?.[1]?.toLowerCase() ?? 'mp3';
    const output = options.output ?? `narrate.${format}`;
    const voices = await createVoices({ voicesDir: config.voicesDir, engineThreads: config.engineThreads, espeakThreads: config.espeakThreads });
    try {
      const speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
      const editing = parseEditingConfig(
        JSON.stringify({
          voice: options.voice,
          format,
          sample_rate: numbers.sampleRate,
          volume: numbers.volume,
          speech_rate: numbers.speechRate,
          pitch_rate: numbers.pitchRate,
        }),
      );
      const plan = speech.prepare({ inputText: input, editing });
      const toStdout = output === '-';
      const file = toStdout ? null : await open(output, 'w');
      let position = 0;
      const result = await speech.render({
        plan,
        write: async (chunk) => {
          if (file) {
            await file.write(chunk, 0, chunk.length, position);
            position += chunk.length;
          } else {
            await new Promise<void>((resolve) => (process.stdout.write(chunk) ? resolve() : process.stdout.once('drain', () => resolve())));
          }
        },
      });
      if (file) {
        if (result.header) await file.write(result.header, 0, result.header.length, 0);
        await file.close();
      }
      if (options.timings) await writeFile(options.timings, JSON.stringify(result.timings, null, 2));
      if (!toStdout) process.stderr.write(`${output}: ${(result.durationMs / 1000).toFixed(2)} s, ${plan.format}, ${plan.sampleRate} Hz, voice ${plan.voice.name}, ${result.timings.length} segment${result.timings.length === 1 ? '' : 's'}\n`);
    } catch (error) {
      if (isAppError(error)) {
        const flag = error.param === undefined ? undefined : FLAG_OF_PARAM[error.param];
        const hint = error.code === 'InvalidParameter.Voice' ? ' (narrate voices list shows them)' : '';
        throw new UsageError('say', `${flag ? `${flag}: ` : ''}${error.code}: ${error.message}${hint}`);
      }
      throw error;
    } finally {
      await voices.close();
    }
  });
}
