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
    position: 'fixed', right: '16px', bottom: '16px', width: '60px', height: '60px',
    padding: '0', border: '0', borderRadius: '50%', background: '#0b6e4f', color: '#fff',
    fontSize: '28px', lineHeight: '60px', textAlign: 'center', cursor: 'pointer',
    boxShadow: '0 2px 10px rgba(0,0,0,.35)', zIndex: '2147483000'
  });

  function place() {
    // A phone: the chat takes the screen above the bubble; wider: a panel in the corner.
    if (window.innerWidth < 520) {
      css(frame, { left: '0', top: '0', right: '0', bottom: '88px', width: '100%',
        height: 'auto', borderRadius: '0' });
    } else {
      css(frame, { left: 'auto', top: 'auto', right: '16px', bottom: '88px', width: '380px',
        height: 'min(620px, calc(100vh - 110px))', borderRadius: '12px' });
    }
  }

  function open() {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'careerbot-frame';
      frame.title = S.title;
      frame.src = base + '/?embed=1' + (school ? '&truong=' + encodeURIComponent(school) : '');
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
    frame.style.display = 'none';
    bubble.textContent = '💬';
    bubble.setAttribute('aria-label', S.open);
    bubble.setAttribute('aria-expanded', 'false');
    bubble.focus();
  }

  bubble.addEventListener('click', function () {
    if (frame && frame.style.display !== 'none') close(); else open();
  });
  // The chat's own close button and Escape key (inside the iframe) ask to close.
  window.addEventListener('message', function (e) {
    if (e.origin === base && frame && e.data && e.data.careerbot === 'close') close();
  });

  function mount() { document.body.appendChild(bubble); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
