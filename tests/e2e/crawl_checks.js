// What the crawl measures on each page (tests/e2e/crawl.py); returns a list of findings as plain strings.
({minTap}) => {
  const findings = [];
  const vw = window.innerWidth;
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
    const cls = (el.className && typeof el.className === 'string') ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}>` + (text ? ` "${text}"` : '');
  };
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    // The content of a closed <details> is not shown (only its summary is), whatever its boxes say.
    const closed = el.closest('details:not([open])');
    if (closed && !el.closest('summary')) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && parseFloat(style.opacity || '1') > 0;
  };
  // Inside a box that scrolls or clips sideways, an element is reached by scrolling that box (or hidden on
  // purpose, as screen-reader text is), so only the box itself must fit the screen.
  const insideSidewaysBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible') return true;
    }
    return false;
  };
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) findings.push(`the page scrolls sideways (${doc.scrollWidth} px wide on a ${vw} px screen)`);
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || insideSidewaysBox(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Placed wholly outside the screen on purpose (a skip link until it has focus, a honeypot field).
    const placed = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    if (placed && (r.right <= 0 || r.left >= vw)) continue;
    if (r.right > vw + 1 || r.left < -1) {
      findings.push(`off-screen: ${describe(el)} spans ${Math.round(r.left)}–${Math.round(r.right)} px of ${vw}`);
      break;  // one is enough to say the page does not fit; its children would repeat it
    }
  }
  for (const img of document.images) {
    if (img.complete && img.naturalWidth === 0) findings.push(`image does not load: ${img.getAttribute('src')}`);
  }
  for (const group of document.querySelectorAll('fieldset, [role=radiogroup], [role=group]')) {
    if (!group.querySelector('input:not([type=hidden]), select, textarea, button')) {
      findings.push(`a choice group has nothing to choose: ${describe(group)}`);
    }
  }
  for (const select of document.querySelectorAll('select')) {
    if (visible(select) && select.options.length === 0) findings.push(`empty select: ${describe(select)}`);
  }
  const fields = document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea');
  // A label names its field by id: with an id used twice, the second field's label names the first (a form shown
  // on every row of a list, two forms on one page); the field may sit in a closed <details> until it is opened.
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) findings.push(`${n} elements share id="${id}"`);
  for (const f of fields) {
    if (!visible(f) && !(f.labels && [...f.labels].some(visible))) continue;
    const named = (f.labels && f.labels.length) || f.getAttribute('aria-label') || f.getAttribute('aria-labelledby') || f.getAttribute('title');
    if (!named) findings.push(`field without a label: ${describe(f)} name=${f.name}`);
  }
  for (const b of document.querySelectorAll('button')) {
    if (!visible(b)) continue;
    const type = (b.getAttribute('type') || 'submit').toLowerCase();
    if (!b.form && type !== 'button') findings.push(`button outside any form does nothing: ${describe(b)}`);
  }
  if (minTap) {
    const targets = document.querySelectorAll('a[href], button, select, summary, input:not([type=hidden]), textarea, [role=button]');
    const seen = new Set();
    for (let el of targets) {
      // A checkbox or radio is tapped through its label; a link inside running text is exempt (WCAG 2.5.8).
      if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) el = el.labels[0];
      if (seen.has(el) || !visible(el)) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      if (el.tagName === 'A' && style.display === 'inline') {
        const parentText = (el.parentElement ? el.parentElement.innerText : '').replace(el.innerText, '').trim();
        if (parentText.length > 0) continue;
      }
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Outside the page altogether is hidden on purpose (a skip link until it has focus, a honeypot field).
      if (r.right <= 0 || r.bottom + window.scrollY <= 0 || r.left >= doc.scrollWidth) continue;
      if (r.height < minTap - 0.5 || r.width < minTap - 0.5) {
        findings.push(`tap target ${Math.round(r.width)}×${Math.round(r.height)} px (< ${minTap}): ${describe(el)}`);
      }
    }
  }
  return findings;
}
