// Text inside every Plotly chart on the page whose contrast with what is behind it is below WCAG 1.4.3 (4.5:1, or
// 3:1 for large text). Behind a text is, in paint order: its annotation's own box when it has an opaque one, else
// the bar it sits on (a label inside a bar, or an annotation laid over bars), else the chart paper.
() => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const opaque = (el) => {
    const style = getComputedStyle(el);
    const pattern = style.fill.match(/^url\(["']?#([^)"']+)["']?\)/);
    if (pattern) {
      // a patterned bar (Plotly's marker.pattern): the text sits on the pattern's background, the bar colour
      const background = document.getElementById(pattern[1])?.querySelector('rect');
      return background ? opaque(background) : null;
    }
    const fill = rgb(style.fill);
    return fill.length >= 3 && style.fill !== 'none' && (fill[3] === undefined || fill[3] > 0.5)
      && Number(style.fillOpacity || 1) > 0.5 && Number(style.opacity || 1) > 0.5 ? fill : null;
  };
  const inside = (x, y, r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  const failures = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, chartIndex) => {
    // the paper colour is the first SVG's background; transparent means the white page shows through
    const paper = chart.querySelector('svg.main-svg');
    let paperFill = paper ? rgb(getComputedStyle(paper).backgroundColor) : [];
    if (paperFill.length < 3 || paperFill[3] === 0) paperFill = [255, 255, 255];
    const bars = [...chart.querySelectorAll('.barlayer g.point path')];
    chart.querySelectorAll('svg text').forEach((text) => {
      if (!text.textContent.trim() || text.closest('.hoverlayer')) return;
      const style = getComputedStyle(text);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return;
      const box = text.getBoundingClientRect();
      const [cx, cy] = [box.left + box.width / 2, box.top + box.height / 2];
      let behind = paperFill;
      const annotationBox = text.closest('.annotation')?.querySelector('rect.bg');
      const ownBox = annotationBox && opaque(annotationBox);
      if (ownBox) {
        behind = ownBox;
      } else if (text.classList.contains('bartext-inside')) {
        const bar = text.closest('g.point')?.querySelector('path');
        if (bar && opaque(bar)) behind = opaque(bar);
      } else if (!text.closest('.legend') && !text.closest('.infolayer .g-gtitle')) {
        const under = bars.filter((bar) => opaque(bar) && inside(cx, cy, bar.getBoundingClientRect())).pop();
        if (under) behind = opaque(under);
      }
      const fill = rgb(style.fill);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const r = ratio(fill, behind);
      if (r < (large ? 3 : 4.5)) {
        failures.push({chart: chartIndex, cls: text.getAttribute('class') || '', text: text.textContent.slice(0, 40),
                       fill: style.fill, behind: `rgb(${behind.join(', ')})`, ratio: Math.round(r * 100) / 100});
      }
    });
  });
  return failures;
}
