/* The memory map: a guest's pages coloured by the key slot that encrypts them, shared pages apart, locks on private
   pages, the firmware's per-page state; one page in the host's view (ciphertext) or the guest's (plaintext); host
   writes and remaps with the outcome the TEE gives them. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var guest = tb.el('select', {id: 'tb-mem-guest', onchange: function () { selected = null; load(); }});
  var legend = tb.el('div', {'class': 'tb-legend', id: 'tb-mem-legend'});
  var grid = tb.svg('svg', {id: 'tb-mem-grid', width: 800, height: 40});
  var info = tb.el('p', {id: 'tb-page-info'});
  var hex = tb.el('pre', {id: 'tb-page-hex'});
  var view = 'host';
  var toggle = tb.el('button', {id: 'tb-view-toggle', text: 'show guest view', onclick: function () {
    view = view === 'host' ? 'guest' : 'host';
    toggle.textContent = view === 'host' ? 'show guest view' : 'show host view';
    page();
  }});
  var data = tb.el('input', {id: 'tb-write-data', placeholder: 'text, or hex:00ff…', size: 24});
  var write = tb.el('button', {id: 'tb-write-go', text: 'host writes this page', onclick: function () { attack('write', {data: data.value}); }});
  var other = tb.el('input', {id: 'tb-remap-other', placeholder: 'other page, 0x…', size: 14});
  var remap = tb.el('button', {id: 'tb-remap-go', text: 'host remaps with', onclick: function () { attack('remap', {other: other.value}); }});
  var outcome = tb.el('p', {id: 'tb-outcome'});
  var hostGrid = tb.svg('svg', {id: 'tb-host-grid', width: 800, height: 40});
  var hostLegend = tb.el('div', {'class': 'tb-legend', id: 'tb-host-legend'});
  p.appendChild(tb.el('div', {'class': 'tb-bar'}, [tb.el('label', {}, ['guest ', guest])]));
  p.appendChild(msg);
  p.appendChild(tb.el('h3', {text: 'Guest physical memory'}));
  p.appendChild(legend);
  p.appendChild(grid);
  p.appendChild(tb.el('div', {id: 'tb-page'}, [tb.el('h3', {text: 'Page'}), info,
    tb.el('div', {'class': 'tb-bar'}, [toggle]), hex,
    tb.el('div', {'class': 'tb-bar'}, [data, write, remap, other]), outcome]));
  p.appendChild(tb.el('h3', {text: 'Host memory: the memory controller\'s key per host page'}));
  p.appendChild(hostLegend);
  p.appendChild(hostGrid);
  var selected = null, pages = [], wanted = tb.param('guest'), shownKey = null;
  var SIZE = 14, PER_ROW = 64;

  function kind(pg) { return pg.shared ? 'shared' : pg.encrypted ? 'private' : 'plain'; }

  function colour(pg, slot) { return pg.shared ? '#9be29b' : pg.encrypted ? tb.slotColour(slot) : '#d9dde5'; }

  function draw(d) {
    var slot = d.guest.keySlot;
    pages = d.pages;
    var key = d.guest.name + ':' + pages.map(function (x) { return x.gpa + kind(x) + x.firmwareState; }).join('|');
    if (key === shownKey) { return; }
    shownKey = key;
    tb.clear(legend);
    legend.appendChild(tb.el('span', {style: 'background:' + tb.slotColour(slot)}));
    legend.appendChild(tb.svg('svg', {width: 12, height: 12}, [tb.lock(0, 0)]));
    legend.appendChild(document.createTextNode(' private, encrypted with ' + (slot || 'no key')));
    legend.appendChild(tb.el('span', {style: 'background:#9be29b'}));
    legend.appendChild(document.createTextNode('shared (plaintext to the host)'));
    legend.appendChild(tb.el('span', {style: 'background:#d9dde5'}));
    legend.appendChild(document.createTextNode('not encrypted yet'));
    tb.clear(grid);
    var rows = Math.ceil(pages.length / PER_ROW);
    grid.setAttribute('height', Math.max(20, rows * SIZE + 4));
    grid.setAttribute('width', PER_ROW * SIZE + 4);
    pages.forEach(function (pg, i) {
      var x = 2 + (i % PER_ROW) * SIZE, y = 2 + Math.floor(i / PER_ROW) * SIZE;
      var r = tb.svg('rect', {x: x, y: y, width: SIZE - 1, height: SIZE - 1, fill: colour(pg, slot),
        'class': 'tb-page' + (selected === pg.gpa ? ' tb-selected' : ''), 'data-gpa': pg.gpa, 'data-kind': kind(pg),
        'data-state': pg.firmwareState, onclick: function () { selected = pg.gpa; shownKey = null; draw(d); page(); }},
        [tb.svg('title', {text: pg.gpa + ' → host ' + pg.hpa + ' · ' + kind(pg) + (pg.firmwareState ? ' · ' + pg.firmwareState : '')})]);
      grid.appendChild(r);
      if (pg.encrypted && !pg.shared && pages.length <= 4096) {
        grid.appendChild(tb.lock(x + 1, y, 1));
      }
    });
    if (selected === null && pages.length) { selected = pages[0].gpa; shownKey = null; draw(d); page(); }
  }

  function hostDraw(d) {
    tb.clear(hostGrid);
    var owners = {};
    d.pages.forEach(function (pg) { if (pg.keySlot) { owners[pg.keySlot] = pg.guest; } });
    tb.clear(hostLegend);
    Object.keys(owners).sort().forEach(function (k) {
      hostLegend.appendChild(tb.el('span', {style: 'background:' + tb.slotColour(k)}));
      hostLegend.appendChild(document.createTextNode(k + ' (' + owners[k] + ')'));
    });
    hostLegend.appendChild(tb.el('span', {style: 'background:#9be29b'}));
    hostLegend.appendChild(document.createTextNode('shared'));
    var ps = d.pages.slice().sort(function (a, b) { return parseInt(a.hpa, 16) - parseInt(b.hpa, 16); });
    var rows = Math.ceil(ps.length / PER_ROW);
    hostGrid.setAttribute('height', Math.max(20, rows * SIZE + 4));
    hostGrid.setAttribute('width', PER_ROW * SIZE + 4);
    ps.forEach(function (pg, i) {
      hostGrid.appendChild(tb.svg('rect', {x: 2 + (i % PER_ROW) * SIZE, y: 2 + Math.floor(i / PER_ROW) * SIZE,
        width: SIZE - 1, height: SIZE - 1, fill: pg.shared ? '#9be29b' : tb.slotColour(pg.keySlot), 'class': 'tb-host-page',
        'data-guest': pg.guest, 'data-slot': pg.keySlot || ''},
        [tb.svg('title', {text: 'host ' + pg.hpa + ' · ' + pg.guest + ' · ' + (pg.shared ? 'shared' : pg.keySlot || 'not encrypted')})]));
    });
  }

  function page() {
    if (selected === null) { return; }
    var pg = pages.filter(function (x) { return x.gpa === selected; })[0];
    info.textContent = selected + (pg ? ' → host page ' + pg.hpa + ' · ' + kind(pg) + (pg.firmwareState ? ' · ' + pg.firmwareState : '') : '');
    tb.get('page', {guest: guest.value, gpa: selected, view: view}).then(function (d) {
      hex.setAttribute('data-view', d.view);
      hex.setAttribute('data-gpa', d.gpa);
      var lines = [];
      for (var i = 0; i < 512; i += 32) { lines.push(d.hex.slice(i * 2, (i + 32) * 2).replace(/(..)/g, '$1 ') + ' ' + d.text.slice(i, i + 32)); }
      hex.textContent = (d.view === 'host' ? 'host view (what the hypervisor reads), first 512 bytes:\n'
        : 'guest view (through the guest\'s key), first 512 bytes:\n') + lines.join('\n');
    }).catch(function (e) { hex.setAttribute('data-view', view); hex.textContent = view + ' view: ' + e.message; });
  }

  function attack(action, extra) {
    if (selected === null) { return; }
    var body = {guest: guest.value, gpa: selected};
    Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    tb.post(action, body).then(function (r) {
      outcome.setAttribute('data-effect', r.effect);
      tb.clear(outcome).appendChild(tb.el('span', {'class': 'tb-error', text: r.effect}));
      outcome.appendChild(document.createTextNode(': ' + r.explanation + ' (guest ' + r.state + ')'));
      shownKey = null; load(); page();
    }).catch(function (e) { outcome.setAttribute('data-effect', 'REFUSED'); tb.say(outcome, action + ': ' + e.message); });
  }

  function load() {
    tb.get('guests').then(function (d) {
      var names = d.guests.filter(function (g) { return g.state !== 'CREATED' && g.state !== 'TERMINATED'; })
        .map(function (g) { return g.name; });
      tb.options(guest, names, wanted);
      wanted = null;
      if (!guest.value) { tb.say(msg, 'no launched guest: create and launch one on the Guests panel'); return null; }
      tb.clear(msg);
      return tb.get('pages', {guest: guest.value}).then(draw);
    }).then(function () { return tb.get('host'); }).then(hostDraw).catch(function (e) { tb.say(msg, e.message); });
  }

  tb.every(2500, load);
})();
