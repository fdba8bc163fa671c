import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.models.js';
import { unitAfterNumber, unitAt } from './units.models.js';

const zh = (text: string) => normalizeText({ text, language: 'zh' });
const en = (text: string) => normalizeText({ text, language: 'en' });

describe('units after a number, in Chinese', () => {
  it.each([
    ['他重70kg。', '他重七十公斤。'],
    ['体重65KG', '体重六十五公斤'],
    ['全程10km', '全程十公里'],
    ['跑了 10 km 路', '跑了 十公里 路'],
    ['走了2 km', '走了两公里'],
    ['身高180cm', '身高一百八十厘米'],
    ['宽5cm', '宽五厘米'],
    ['长3m', '长三米'],
    ['直径5mm', '直径五毫米'],
    ['5nm工艺', '五纳米工艺'],
    ['500g面粉', '五百克面粉'],
    ['每片10mg', '每片十毫克'],
    ['载重5t', '载重五吨'],
    ['2L装', '两升装'],
    ['500ml', '五百毫升'],
    ['500mL', '五百毫升'],
    ['面积120m²', '面积一百二十平方米'],
    ['面积120㎡', '面积一百二十平方米'],
    ['时速60km/h', '时速六十公里每小时'],
    ['风速5m/s', '风速五米每秒'],
    ['倾斜30°', '倾斜三十度'],
    ['30℃', '三十摄氏度'],
    ['气温30 °C', '气温三十摄氏度'],
    ['100°F', '一百华氏度'],
    ['用电3.5kWh', '用电三点五千瓦时'],
    ['功率100W', '功率一百瓦'],
    ['输出5V', '输出五伏'],
    ['电池5000mAh', '电池五千毫安时'],
    ['3.2GHz处理器', '三点二吉赫兹处理器'],
    ['延迟5ms', '延迟五毫秒'],
    ['等10min', '等十分钟'],
    ['24h营业', '二十四小时营业'],
    ['屏幕27in', '屏幕二十七英寸'],
    ['身高6ft', '身高六英尺'],
    ['限速50mph', '限速五十英里每小时'],
  ])('%s → %s', (text, spoken) => expect(zh(text)).toBe(spoken));

  it.each([
    ['内存8GB', '内存八G'],
    ['硬盘1TB', '硬盘一T'],
    ['流量500MB', '流量五百兆'],
    ['文件300KB', '文件三百K'],
  ])('reads storage sizes the way people say them, not 吉字节: %s → %s', (text, spoken) => expect(zh(text)).toBe(spoken));

  it.each([
    ['2kg', '两公斤'],
    ['2km', '两公里'],
    ['2GB', '两G'],
    ['2h', '两小时'],
    ['2°', '二度'],
    ['2.5kg', '二点五公斤'],
    ['12kg', '十二公斤'],
  ])('says 两 before a unit, except degrees: %s → %s', (text, spoken) => expect(zh(text)).toBe(spoken));

  it.each([
    ['5-10km', '五到十公里'],
    ['2-3km', '两到三公里'],
    ['5km-10km', '五公里到十公里'],
    ['30-40°', '三十到四十度'],
    ['60~80km/h', '六十到八十公里每小时'],
    ['-5~10℃', '负五到十摄氏度'],
  ])('ranges with a unit: %s → %s', (text, spoken) => expect(zh(text)).toBe(spoken));
});

describe('units after a number, in English', () => {
  it.each([
    ['It is 10 km away.', 'It is ten kilometers away.'],
    ['just 1 km', 'just one kilometer'],
    ['He is 6 ft tall.', 'He is six feet tall.'],
    ['1 ft', 'one foot'],
    ['at 50 mph', 'at fifty miles per hour'],
    ['weighs 3.5 kg', 'weighs three point five kilograms'],
    ['a 30° angle', 'a thirty degrees angle'],
    ['1° off', 'one degree off'],
    ['at 45°N', 'at forty-five degrees N'],
    ['a 5 GB file', 'a five gigabytes file'],
    ['ran 5km today', 'ran five kilometers today'],
    ['a 27in screen', 'a twenty-seven inches screen'],
    ['add 100 g of flour', 'add one hundred grams of flour'],
    ['pour 250 ml', 'pour two hundred fifty milliliters'],
    ['a 2L bottle', 'a two liters bottle'],
    ['5 lbs of rice', 'five pounds of rice'],
    ['1 lb', 'one pound'],
    ['wait 5 min', 'wait five minutes'],
    ['ping 20ms', 'ping twenty milliseconds'],
    ['open 24h', 'open twenty-four hours'],
    ['at 3.2 GHz', 'at three point two gigahertz'],
    ['the 1500 m race', 'the one thousand five hundred meters race'],
    ['−1 °C', 'minus one degree Celsius'],
    ['It was 30°C.', 'It was thirty degrees Celsius.'],
    ['drove 1,000 km', 'drove one thousand kilometers'],
    ['add 0.5L', 'add zero point five liters'],
  ])('%s → %s', (text, spoken) => expect(en(text)).toBe(spoken));

  it.each([
    ['a 10-km race', 'a ten-kilometer race'],
    ['a 6-ft fence', 'a six-foot fence'],
    ['a 2-min video', 'a two-minute video'],
  ])('a hyphen makes a compound adjective, said in the singular: %s → %s', (text, spoken) => expect(en(text)).toBe(spoken));

  it.each([
    ['5-10 km', 'five to ten kilometers'],
    ['1-2 kg', 'one to two kilograms'],
    ['30-40°', 'thirty to forty degrees'],
    ['at 60-80 km/h', 'at sixty to eighty kilometers per hour'],
  ])('ranges with a unit: %s → %s', (text, spoken) => expect(en(text)).toBe(spoken));
});

describe('letters that are not units', () => {
  it.each([
    ["I'm here", "I'm here"],
    ['5 in a row', 'five in a row'],
    ['1 in 5 people', 'one in five people'],
    ['3-in-1', 'three-in-one'],
    ['500 W Main St', 'five hundred W Main St'],
    ['a 5G phone', 'a five G phone'],
    ['a 4K screen', 'a four K screen'],
    ['5M users', 'five M users'],
    ['wait 30s', 'wait thirty s'],
    ['at 3 pm', 'at three p m'],
    ['at 5am', 'at five a m'],
    ['at 3:30 pm', 'at three thirty p m'],
    ['the 1st km', 'the first km'],
    ['A4 paper', 'A four paper'],
    ['Win10 m', 'Win ten m'],
    ['5kmph', 'five kmph'],
    ['an 8 t truck', 'an eight t truck'],
  ])('%s → %s', (text, spoken) => expect(en(text)).toBe(spoken));

  it.each([
    ['开通5G网络', '开通五G网络'],
    ['这是5A景区', '这是五A景区'],
    ['尺寸10x20cm的', '尺寸十x二十厘米的'],
  ])('%s → %s', (text, spoken) => expect(zh(text)).toBe(spoken));
});

describe('finding a unit', () => {
  it('prefers the longest spelling: km/h over km, mph over m', () => {
    expect(unitAt('km/h', 0)?.unit.en[1]).toBe('kilometers per hour');
    expect(unitAt('mph', 0)?.unit.en[1]).toBe('miles per hour');
    expect(unitAt('min', 0)?.unit.en[1]).toBe('minutes');
  });
  it('takes one space or hyphen before a unit that may stand apart, none before one that must be glued', () => {
    expect(unitAt(' km', 0)?.end).toBe(3);
    expect(unitAt('-km', 0)?.hyphen).toBe(true);
    expect(unitAt('  km', 0)).toBeUndefined();
    expect(unitAt(' in', 0)).toBeUndefined();
    expect(unitAt('in', 0)?.unit.en[0]).toBe('inch');
  });
  it('takes no unit after a number glued to letters, except the x of a size', () => {
    expect(unitAfterNumber({ text: 'kg', index: 0, before: 'A' })).toBeUndefined();
    expect(unitAfterNumber({ text: 'kg', index: 0, before: '10x' })?.unit.zh).toBe('公斤');
  });
});
