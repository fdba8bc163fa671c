/** Examples offered beside the editor (tags per reference §1.4). */
export interface SsmlExample {
  label: { zh: string; en: string };
  text: string;
}

export const SSML_EXAMPLES: readonly SsmlExample[] = [
  { label: { zh: '纯文本', en: 'Plain text' }, text: '欢迎使用 Narrate。这是一个自托管的语音合成服务。它与阿里云智能媒体服务的接口兼容。' },
  { label: { zh: '停顿', en: 'Pauses' }, text: '<speak>第一句话。<break time="800ms"/>停顿之后的第二句话。</speak>' },
  { label: { zh: '语速与音量', en: 'Rate and volume' }, text: '<speak rate="-200" volume="80">慢一点、大声一点地朗读这句话。</speak>' },
  { label: { zh: '数字读法', en: 'Reading numbers' }, text: '<speak>电话号码是 <say-as interpret-as="telephone">4008201234</say-as>，金额是 <say-as interpret-as="cardinal">12345</say-as> 元。</speak>' },
  { label: { zh: '替换读音', en: 'Substitution' }, text: '<speak><sub alias="世界卫生组织">WHO</sub>发布了新的指南。</speak>' },
  { label: { zh: '英文', en: 'English' }, text: '<speak voice="abby">Hello from Narrate. <break time="500ms"/>This sentence is in English.</speak>' },
];
