"""Is any text cut short? Chart text that runs outside its chart, bar labels cut by the plot, and button labels that
Streamlit ends with an ellipsis because their column is too narrow ("Current data as a template (E…")."""

from __future__ import annotations

CUT_CHART_TEXT_JS = """() => {
  const out = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart, index) => {
    const frame = chart.getBoundingClientRect();
    chart.querySelectorAll('svg text').forEach((text) => {
      if (!text.textContent.trim() || text.closest('.hoverlayer')) return;
      const style = getComputedStyle(text);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return;
      const box = text.getBoundingClientRect();
      if (box.width === 0) return;
      let clip = frame;
      const clipped = text.closest('[clip-path]');
      if (text.classList.contains('bartext') && clipped) {
        const id = (clipped.getAttribute('clip-path').match(/#([^)'"]+)/) || [])[1];
        const rect = id && document.getElementById(id)?.querySelector('rect');
        const ctm = clipped.getScreenCTM && clipped.getScreenCTM();
        if (rect && ctm) {
          // a <clipPath>'s rect is never drawn, so it has no box of its own: its x, y, width and height are in the
          // user space of the element it clips
          const [x, y] = ['x', 'y'].map((a) => Number(rect.getAttribute(a) || 0));
          const [w, h] = ['width', 'height'].map((a) => Number(rect.getAttribute(a) || 0));
          const a = new DOMPoint(x, y).matrixTransform(ctm);
          const b = new DOMPoint(x + w, y + h).matrixTransform(ctm);
          clip = {left: Math.min(a.x, b.x), right: Math.max(a.x, b.x),
                  top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y)};
        }
      }
      const out_of = box.left < clip.left - 1 || box.right > clip.right + 1
        || box.top < clip.top - 1 || box.bottom > clip.bottom + 1;
      if (out_of) {
        out.push({chart: index, text: text.textContent.slice(0, 40), cls: text.getAttribute('class') || ''});
      }
    });
  });
  return out;
}"""

TRUNCATED_BUTTONS_JS = """() => [...document.querySelectorAll('button, [data-testid="stPageLink-NavLink"]')]
  .filter((button) => button.offsetParent !== null && button.innerText.trim())
  .filter((button) => [button, ...button.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1
      && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX) && e.innerText.trim()))
  .map((button) => button.innerText.trim().slice(0, 60))"""


def cut_off_chart_text(page) -> list[dict]:
    """Chart texts drawn partly outside their chart (or, for a bar label, outside the plot that clips it)."""
    return page.evaluate(CUT_CHART_TEXT_JS)


def truncated_buttons(page) -> list[str]:
    """Visible buttons and menu links whose label does not fit and is cut short."""
    return page.evaluate(TRUNCATED_BUTTONS_JS)
