/* teebox web console: helpers shared by the panels (no libraries: everything is served by this bundle). */
(function () {
  'use strict';
  var root = document.getElementById('teebox-panel');
  var tb = {
    root: root,
    base: root.getAttribute('data-root'),
    console: root.getAttribute('data-root').replace(/\/[^/]*$/, ''),
    get: function (what, params) {
      var q = params ? '?' + Object.keys(params).map(function (k) {
        return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]);
      }).join('&') : '';
      return fetch(tb.base + '/' + what + '.json' + q, {credentials: 'same-origin'}).then(tb.answer);
    },
    post: function (action, body, panel) {
      var base = panel ? tb.console + '/' + panel : tb.base;
      return fetch(base + '/' + action, {
        method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-Teebox-Console': '1'},
        body: JSON.stringify(body || {})
      }).then(tb.answer);
    },
    answer: function (r) {
      return r.text().then(function (t) {
        var j;
        try { j = JSON.parse(t); } catch (e) { throw new Error('HTTP ' + r.status + ': ' + t.slice(0, 200)); }
        if (!r.ok || j.error) { throw new Error(j.error || ('HTTP ' + r.status)); }
        return j;
      });
    },
    el: function (tag, attrs, children) {
      var e = document.createElement(tag);
      tb.fill(e, attrs, children);
      return e;
    },
    svg: function (tag, attrs, children) {
      var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
      tb.fill(e, attrs, children);
      return e;
    },
    fill: function (e, attrs, children) {
      Object.keys(attrs || {}).forEach(function (k) {
        if (k === 'text') { e.textContent = attrs[k]; }
        else if (k.slice(0, 2) === 'on') { e.addEventListener(k.slice(2), attrs[k]); }
        else if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); }
      });
      (children || []).forEach(function (c) {
        if (c !== null && c !== undefined) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); }
      });
      return e;
    },
    clear: function (e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; },
    /** A message line: the error of a refused action in one line, or what it did. */
    say: function (where, text, ok) {
      tb.clear(where).appendChild(tb.el('span', {'class': ok ? 'tb-ok' : 'tb-error', text: text}));
    },
    /** Calls fn now and every ms milliseconds while the page is open (live updates). */
    every: function (ms, fn) { fn(); return setInterval(fn, ms); },
    /** Fills a select with names, keeping the current choice. */
    options: function (select, names, keep) {
      var was = keep || select.value;
      tb.clear(select);
      names.forEach(function (n) { select.appendChild(tb.el('option', {value: n, text: n})); });
      if (names.indexOf(was) >= 0) { select.value = was; }
    },
    file64: function (input) {
      return new Promise(function (resolve, reject) {
        var f = input.files && input.files[0];
        if (!f) { resolve(null); return; }
        var r = new FileReader();
        r.onload = function () { resolve(String(r.result).replace(/^data:[^,]*,/, '')); };
        r.onerror = function () { reject(new Error('cannot read ' + f.name)); };
        r.readAsDataURL(f);
      });
    },
    fileText: function (input) {
      return new Promise(function (resolve, reject) {
        var f = input.files && input.files[0];
        if (!f) { resolve(null); return; }
        var r = new FileReader();
        r.onload = function () { resolve(String(r.result)); };
        r.onerror = function () { reject(new Error('cannot read ' + f.name)); };
        r.readAsText(f);
      });
    },
    param: function (name) { return new URLSearchParams(location.search).get(name); },
    /** A colour per key slot ("ASID 1", "HKID 32"): the same slot is the same colour on every panel; green is
        kept for shared pages and grey for pages not encrypted. */
    slotColour: function (slot) {
      if (!slot) { return '#d9dde5'; }
      var palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#3f8fd2'];
      var m = /^(\S+)\s+(\d+)$/.exec(slot), k = 0, id = 0;
      if (m) {
        for (var i = 0; i < m[1].length; i++) { k = (k * 7 + m[1].charCodeAt(i)) % palette.length; }
        id = parseInt(m[2], 10);
      }
      return palette[(k + id) % palette.length];
    },
    /** A small padlock drawn at (x, y), for private pages. */
    lock: function (x, y, scale) {
      var s = scale || 1;
      return tb.svg('path', {'class': 'tb-lock', 'pointer-events': 'none', fill: 'none', stroke: '#222', 'stroke-width': 0.8,
        d: 'M' + (x + 3 * s) + ' ' + (y + 6 * s) + 'h' + (5 * s) + 'v' + (4 * s) + 'h' + (-5 * s) + 'z M' + (x + 4 * s) + ' ' + (y + 6 * s)
          + 'v' + (-1.5 * s) + 'a' + (1.5 * s) + ' ' + (1.5 * s) + ' 0 0 1 ' + (3 * s) + ' 0v' + (1.5 * s)});
    }
  };
  window.teebox = tb;
})();
