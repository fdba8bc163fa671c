/** Benchmark texts: ordinary news-like prose with numbers, dates and punctuation the front end handles. */

/** ~300 characters of Mandarin. */
export const CHINESE_TEXT =
  '今天上午九点，市气象台发布了最新的天气预报。预计未来三天，本市将以多云天气为主，' +
  '最高气温二十八摄氏度，最低气温十九摄氏度。受冷空气影响，周五夜间到周六白天有一次明显的降雨过程，' +
  '累计雨量可达30毫米，局部地区伴有雷电和短时大风。气象专家提醒，市民出行请携带雨具，' +
  '注意交通安全。另外，2024年第3季度全市共接待游客1520万人次，同比增长12.5%，' +
  '旅游收入达到186亿元。文化和旅游部门表示，将继续完善公共服务设施，提升游客的出行体验，' +
  '推出更多适合家庭出游的线路和产品。下周，市图书馆将举办主题阅读活动，欢迎广大市民参加。';

/** ~600 characters of English. */
export const ENGLISH_TEXT =
  'The city weather office published its latest forecast at nine this morning. ' +
  'Over the next three days the weather will be mostly cloudy, with highs of 28 degrees and lows of 19. ' +
  'A band of rain is expected on Friday night and Saturday, bringing up to 30 millimetres in places, ' +
  'with thunder and short bursts of strong wind. Forecasters advise anyone travelling to carry an umbrella ' +
  'and to drive with care. Meanwhile, the city welcomed 15.2 million visitors in the third quarter of 2024, ' +
  'up 12.5 percent on the year before, and tourism income reached 18.6 billion. ' +
  'The tourism department says it will keep improving public services and add more routes for families. ' +
  'Next week the city library holds a reading festival, and everyone is welcome to join.';
