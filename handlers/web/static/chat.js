/* careerbot web chat: draws the core's Views as elements and sends Intents back as JSON.
 * Every text goes in as text (text nodes, textContent): nothing the server or the visitor
 * sends is ever parsed as HTML. The views' **bold** and __italic__ marks become <strong> and
 * <em> built with createElement. No framework, no third-party request. */
(function () {
  'use strict';

  var S = JSON.parse(document.getElementById('strings').textContent);
  var params = new URLSearchParams(location.search);
  var embed = params.get('embed') === '1';
  var school = (params.get('truong') || '').slice(0, 40);
  var suffix = embed ? '?embed=1' : '';
  var log = document.getElementById('log');
  var form = document.getElementById('ask');
  var input = document.getElementById('text');
  var send = document.getElementById('send');
  var typing = document.getElementById('typing');
  var toastBox = document.getElementById('toast');
  var busy = false;
  var events = null;
  var pollTimer = 0;
  var last = 0;
  var seen = {};
  var toastTimer = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function lines(parent, text) {
    String(text).split('\n').forEach(function (line, n) {
      if (n) parent.appendChild(document.createElement('br'));
      if (line) parent.appendChild(document.createTextNode(line));
    });
    return parent;
  }

  var MARK = /\*\*([\s\S]+?)\*\*|__([\s\S]+?)__/g;

  function inline(parent, text) {
    text = String(text || '');
    var at = 0;
    var m;
    MARK.lastIndex = 0;
    while ((m = MARK.exec(text)) !== null) {
      if (m.index > at) lines(parent, text.slice(at, m.index));
      var bold = m[1] !== undefined;
      parent.appendChild(lines(el(bold ? 'strong' : 'em'), bold ? m[1] : m[2]));
      at = MARK.lastIndex;
    }
    if (at < text.length) lines(parent, text.slice(at));
    return parent;
  }

  function part(p) {
    if (p.kind === 'title') return inline(el('h2'), p.text);
    if (p.kind === 'sources') {
      var src = el('p', 'sources');
      src.appendChild(el('span', 'label', '📚 ' + p.text + ': '));
      src.appendChild(document.createTextNode((p.items || []).join('; ')));
      return src;
    }
    if (p.kind === 'pairs') {
      var dl = el('dl', 'pairs');
      (p.items || []).forEach(function (item) {
        var pair = Array.isArray(item) ? item : [item, ''];
        dl.appendChild(inline(el('dt'), pair[0]));
        dl.appendChild(inline(el('dd'), pair[1]));
      });
      return dl;
    }
    var kinds = { strong: 'strong', hint: 'hint', warning: 'warning' };
    return inline(el('p', kinds[p.kind] || 'text'), p.text);
  }

  function choiceButton(choice, box) {
    var b = el('button', 'choice', choice.label);
    b.type = 'button';
    b.dataset.kind = choice.intent.type;
    if (choice.selected !== undefined) {
      b.setAttribute('aria-pressed', choice.selected ? 'true' : 'false');
    }
    b.addEventListener('click', function () {
      run('/api/intent', { intent: choice.intent, from: Number(box.dataset.id) || null }, box);
    });
    return b;
  }

  function viewBox(v) {
    var box = el('div', 'msg bot');
    box.dataset.id = String(v.id);
    box.tabIndex = -1;
    box.appendChild(el('span', 'sr', S.bot + ': '));
    (v.parts || []).forEach(function (p) { box.appendChild(part(p)); });
    (v.files || []).forEach(function (f) {
      var link = el('a', 'file', '📎 ' + S.file + ': ' + f.filename +
        (f.caption ? ' · ' + f.caption : ''));
      link.href = f.url + suffix;
      link.setAttribute('download', f.filename);
      box.appendChild(link);
    });
    if (v.rows && v.rows.length) {
      var choices = el('div', 'choices');
      v.rows.forEach(function (row) {
        var r = el('div', 'row');
        row.forEach(function (c) { r.appendChild(choiceButton(c, box)); });
        choices.appendChild(r);
      });
      box.appendChild(choices);
    }
    return box;
  }

  function youBox(text) {
    var box = el('div', 'msg you');
    box.appendChild(el('span', 'sr', S.you + ': '));
    box.appendChild(document.createTextNode(text));
    return box;
  }

  function toast(notice) {
    clearTimeout(toastTimer);
    toastBox.textContent = notice.text;
    toastBox.className = notice.alert ? 'toast alert' : 'toast';
    toastBox.hidden = false;
    toastTimer = setTimeout(function () { toastBox.hidden = true; }, notice.alert ? 8000 : 4000);
  }

  function empty(v) {
    return !(v.parts && v.parts.length) && !(v.rows && v.rows.length) &&
      !(v.files && v.files.length);
  }

  // Views (and, in a redrawn chat, the visitor's own messages) into the list; returns the
  // first new message.
  function show(views) {
    var first = null;
    views.forEach(function (v) {
      if (v.id) {
        if (seen[v.id]) return;
        seen[v.id] = true;
        if (v.id > last) last = v.id;
      }
      if (v.notice) toast(v.notice);
      var node;
      if (typeof v.user === 'string') node = youBox(v.user);
      else if (empty(v)) return;
      else node = viewBox(v);
      var old = v.replaces ? log.querySelector('[data-id="' + Number(v.replaces) + '"]') : null;
      if (old) log.replaceChild(node, old); else log.appendChild(node);
      if (!first) first = node;
    });
    return first;
  }

  function reveal(node, focus) {
    if (!node) return;
    node.scrollIntoView({ block: 'start' });
    if (focus) node.focus({ preventScroll: true });
  }

  // A redrawn chat (a reload, a restart): where the visitor left off is the newest message,
  // or the survey question waiting for them, not the oldest.
  function revealNewest() {
    var newest = log.lastElementChild;
    if (newest) newest.scrollIntoView({ block: 'start' });
  }

  function post(path, body) {
    return fetch(path + suffix, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.error || S.error);
        return data;
      });
    }, function () { throw new Error(S.offline); });
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    send.disabled = on;
    log.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  // Choices a view strips from the message tapped (a vote once given).
  function strip(box, kinds) {
    if (!box || !kinds || !kinds.length) return;
    var focused = box.contains(document.activeElement);
    Array.prototype.forEach.call(box.querySelectorAll('button.choice'), function (b) {
      if (kinds.indexOf(b.dataset.kind) >= 0) b.parentNode.removeChild(b);
    });
    Array.prototype.forEach.call(box.querySelectorAll('.row'), function (r) {
      if (!r.children.length) r.parentNode.removeChild(r);
    });
    // The tapped button is gone: the keyboard stays on its message, not back at the top.
    if (focused && !box.contains(document.activeElement)) box.focus({ preventScroll: true });
  }

  // After "Xoá dữ liệu": a new session, and nothing of the old one left on screen.
  function reset() {
    while (log.firstChild) log.removeChild(log.firstChild);
    seen = {};
    last = 0;
    if (events) events.close();
    events = null;
    clearTimeout(pollTimer);
    pollTimer = 0;
  }

  // One request at a time: the server keeps each visitor's actions in order anyway, and a
  // double tap must not send the same answer twice. `tapped`: the message a choice was on.
  function run(path, body, tapped) {
    if (busy) return Promise.resolve(null);
    setBusy(true);
    return post(path, body).then(function (data) {
      setBusy(false);
      if (data.reset) reset();
      else if (data.views && data.views.length) strip(tapped, data.views[0].strip);
      var first = show(data.history || []);
      first = show(data.views || []) || first;
      if (typeof data.last === 'number' && data.last > last) last = data.last;
      reveal(first, !!tapped);
      if (data.reset) listen();
      return data;
    }).catch(function (err) {
      setBusy(false);
      toast({ text: err.message, alert: true });
      return null;
    });
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    var url = '/api/events?after=' + last + (embed ? '&embed=1' : '');
    var stream = events = new EventSource(url);
    stream.onmessage = function (e) {
      var v;
      try { v = JSON.parse(e.data); } catch (_) { return; }
      if (typeof v.id === 'number' && v.id > last) last = v.id;
      var first = show([v]);
      if (first && !busy) reveal(first, false);
    };
    // Refused a live stream (too many from this network: an HTTP error, after which the
    // browser gives up for good): ask now and then instead. A dropped connection
    // (CONNECTING) is retried by the browser itself.
    stream.onerror = function () {
      if (stream.readyState !== EventSource.CLOSED || events !== stream) return;
      events = null;
      poll();
    };
  }

  function poll() {
    clearTimeout(pollTimer);
    pollTimer = 0;
    fetch('/api/poll?after=' + last + (embed ? '&embed=1' : ''), {
      credentials: 'same-origin'
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      var every = 15;
      if (data && data.views) {
        var first = show(data.views);
        if (first && !busy) reveal(first, false);
        if (typeof data.last === 'number' && data.last > last) last = data.last;
        if (typeof data.every === 'number' && data.every > 0) every = data.every;
      }
      pollTimer = setTimeout(poll, every * 1000);
    }, function () {
      pollTimer = setTimeout(poll, 30000);
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    if (text.length > 4096) { toast({ text: S.too_long, alert: true }); return; }
    log.appendChild(youBox(text));
    input.value = '';
    run('/api/message', { text: text }, null).then(function () { input.focus(); });
  });

  if (embed) {
    var full = document.getElementById('full');
    var close = document.getElementById('close');
    full.href = '/' + (school ? '?truong=' + encodeURIComponent(school) : '');
    full.hidden = false;
    close.hidden = false;
    var shut = function () { window.parent.postMessage({ careerbot: 'close' }, '*'); };
    close.addEventListener('click', shut);
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') shut(); });
    document.documentElement.className = 'embed';
  }

  // Opened from the widget: focus moves into the chat (not the input, which would cover the
  // first answer with a phone's keyboard).
  if (embed) log.focus({ preventScroll: true });
  run('/api/open', { school: school }, null).then(function (data) {
    if (data) {
      revealNewest();
      listen();
    }
  });
})();
