/* careerbot widget. A school pastes one line into its site:
 *   <script src="https://HOST/widget.js" data-school="MÃ_TRƯỜNG" async></script>
 * and gets a chat bubble in the corner that opens the chat in an iframe. Nothing more is
 * downloaded until the bubble is tapped; nothing is read from or written to the school's page
 * beyond the two elements added here. */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || window.careerbotWidget) return;
  window.careerbotWidget = true;
  var S = __STRINGS__;
  var base = new URL(me.src, location.href).origin;
  var school = me.getAttribute('data-school') || '';
  var frame = null;
  var refused = null;
  var allowed = null; // unknown until the first tap asks the server

  // A phone showing a page made for desktops (no viewport tag) lays it out ~980 px wide and
  // zooms out: an iframe there would be unreadable, so the chat opens in its own tab instead,
  // and the bubble is scaled back to a thumb's size. Read when needed: the zoom is known only
  // once the page is laid out.
  function zoom() {
    var scale = window.visualViewport ? window.visualViewport.scale : 1;
    return Math.max(1, 1 / (scale || 1));
  }

  function css(node, values) {
    for (var k in values) node.style[k] = values[k];
  }

  var bubble = document.createElement('button');
  bubble.type = 'button';
  bubble.id = 'careerbot-bubble';
  bubble.textContent = '💬';
  bubble.setAttribute('aria-label', S.open);
  bubble.setAttribute('aria-expanded', 'false');
  css(bubble, {
    position: 'fixed', right: '16px', bottom: '16px', padding: '0', border: '0',
    borderRadius: '50%', background: '#0b6e4f', color: '#fff', textAlign: 'center',
    cursor: 'pointer',
    boxShadow: '0 2px 10px rgba(0,0,0,.35)', zIndex: '2147483000'
  });

  function fit() {
    var z = zoom();
    var size = Math.round(60 * z) + 'px';
    css(bubble, { width: size, height: size, lineHeight: size,
      fontSize: Math.round(28 * z) + 'px' });
  }

  function place() {
    // A phone: the chat takes the screen above the bubble; wider: a panel in the corner.
    if (window.innerWidth < 520) {
      css(frame, { left: '0', top: '0', right: 'auto', bottom: 'auto', width: '100%',
        height: 'calc(100% - 88px)', borderRadius: '0' });
    } else {
      css(frame, { left: 'auto', top: 'auto', right: '16px', bottom: '88px', width: '380px',
        height: 'min(620px, calc(100vh - 110px))', borderRadius: '12px' });
    }
  }

  function chatUrl(embed) {
    var query = [];
    if (embed) query.push('embed=1');
    if (school) query.push('truong=' + encodeURIComponent(school));
    return base + '/' + (query.length ? '?' + query.join('&') : '');
  }

  // A site not in CAREERBOT_WEB_ORIGINS may not frame the chat: the frame would show the
  // browser's broken-page icon. Ask first (the server logs the site), then say so instead.
  function check(then) {
    if (allowed !== null || !window.fetch) { then(); return; }
    fetch(base + '/widget/allowed', { credentials: 'omit' })
      .then(function (r) { return r.json(); })
      .then(function (data) { allowed = data.allowed !== false; then(); },
            function () { allowed = true; then(); });
  }

  function showRefused() {
    if (!refused) {
      refused = document.createElement('div');
      refused.id = 'careerbot-refused';
      refused.setAttribute('role', 'status');
      refused.textContent = S.refused;
      css(refused, { position: 'fixed', right: '16px', bottom: '88px', maxWidth: '300px',
        padding: '12px 14px', borderRadius: '12px', background: '#fff', color: '#1b1f1d',
        font: '15px/1.4 system-ui, sans-serif', boxShadow: '0 4px 24px rgba(0,0,0,.3)',
        zIndex: '2147483000' });
      document.body.appendChild(refused);
    }
    refused.style.display = 'block';
    bubble.textContent = '✕';
    bubble.setAttribute('aria-label', S.close);
    bubble.setAttribute('aria-expanded', 'true');
  }

  function open() {
    if (zoom() > 1.3) {
      window.open(chatUrl(false), '_blank', 'noopener');
      return;
    }
    if (allowed === null) { check(open); return; }
    if (!allowed) { showRefused(); return; }
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'careerbot-frame';
      frame.title = S.title;
      frame.src = chatUrl(true);
      css(frame, { position: 'fixed', border: '0', background: '#fff',
        boxShadow: '0 4px 24px rgba(0,0,0,.3)', zIndex: '2147483000' });
      document.body.appendChild(frame);
      window.addEventListener('resize', place);
    }
    place();
    frame.style.display = 'block';
    bubble.textContent = '✕';
    bubble.setAttribute('aria-label', S.close);
    bubble.setAttribute('aria-expanded', 'true');
    frame.focus();
  }

  function close() {
    if (frame) frame.style.display = 'none';
    if (refused) refused.style.display = 'none';
    bubble.textContent = '💬';
    bubble.setAttribute('aria-label', S.open);
    bubble.setAttribute('aria-expanded', 'false');
    bubble.focus();
  }

  function shown(node) { return node && node.style.display !== 'none'; }

  bubble.addEventListener('click', function () {
    if (shown(frame) || shown(refused)) close(); else open();
  });
  // The chat's own close button and Escape key (inside the iframe) ask to close.
  window.addEventListener('message', function (e) {
    if (e.origin === base && frame && e.data && e.data.careerbot === 'close') close();
  });

  function mount() {
    fit();
    document.body.appendChild(bubble);
    if (window.visualViewport) window.visualViewport.addEventListener('resize', fit);
    window.addEventListener('load', fit);
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
