// The milestone chart of a project's timeline page: planned dates (hollow) and actual dates
// (filled, red when late) per milestone, with today marked. Data comes from a JSON block, so the
// page needs no inline script.
(function () {
  var el = document.getElementById('timeline-chart');
  var src = document.getElementById('timeline-data');
  if (!el || !src || typeof echarts === 'undefined') return;
  var d = JSON.parse(src.textContent);
  var chart = echarts.init(el, null, { renderer: 'svg' });
  var planned = d.names.map(function (n, i) { return [d.planned[i], n]; });
  var actual = [];
  d.names.forEach(function (n, i) { if (d.actual[i]) actual.push({ value: [d.actual[i], n], itemStyle: { color: d.late[i] ? '#d4380d' : '#389e0d' } }); });
  chart.setOption({
    animation: false,
    grid: { left: 140, right: 40, top: 40, bottom: 40 },
    legend: { data: [d.labels.planned, d.labels.actual], top: 0 },
    tooltip: { trigger: 'item', formatter: function (p) { return p.seriesName + '：' + p.value[1] + ' ' + p.value[0]; } },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: d.names, inverse: true },
    series: [
      { name: d.labels.planned, type: 'scatter', symbol: 'emptyCircle', symbolSize: 14, data: planned,
        markLine: { symbol: 'none', lineStyle: { type: 'dashed', color: '#1d4ed8' }, label: { formatter: d.labels.today, position: 'start' }, data: [{ xAxis: d.today }] } },
      { name: d.labels.actual, type: 'scatter', symbol: 'circle', symbolSize: 12, data: actual }
    ]
  });
  window.addEventListener('resize', function () { chart.resize(); });
  el.setAttribute('data-ready', 'true');
})();
