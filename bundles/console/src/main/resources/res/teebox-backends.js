/* Backends: each TEE, its firmware and TCB, key-slot use, capabilities and bundle; stop, update, start. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var table = tb.el('table', {'class': 'tb', id: 'tb-backends'});
  p.appendChild(tb.el('p', {text: 'Stopping or updating a backend bundle is a firmware update: its guests pause with '
    + 'their encrypted state kept and resume when the backend returns.'}));
  p.appendChild(msg);
  p.appendChild(table);

  function act(action, tee) {
    return function () {
      tb.say(msg, action + ' ' + tee + '…', true);
      tb.post(action, {teeType: tee})
        .then(function (r) { tb.say(msg, action + ' ' + tee + ': bundle ' + r.bundle + ' is ' + r.state, true); shown = null; refresh(); })
        .catch(function (e) { tb.say(msg, action + ' ' + tee + ': ' + e.message); });
    };
  }

  function slots(k) {
    if (!k) { return tb.el('span', {text: '—'}); }
    var w = 120, used = k.capacity ? Math.min(1, k.inUse / k.capacity) : 0;
    return tb.el('span', {}, [tb.svg('svg', {width: w, height: 12, 'class': 'tb-slots'}, [
      tb.svg('rect', {x: 0, y: 0, width: w, height: 12, fill: '#e8ebf1', stroke: '#888'}),
      tb.svg('rect', {x: 0, y: 0, width: Math.max(used * w, k.inUse ? 2 : 0), height: 12, fill: '#4a78c2'})]),
      ' ' + k.name + ' ' + k.inUse + ' / ' + k.capacity + ' (' + k.first + '..' + k.last + ')']);
  }

  var shown = null;
  function refresh() {
    tb.get('backends').then(function (d) {
      var key = JSON.stringify(d);
      if (key === shown) { return; }
      shown = key;
      tb.clear(table).appendChild(tb.el('tr', {}, ['TEE', 'vendor / product', 'firmware', 'TCB', 'key slots',
        'capabilities', 'bundle', 'guests', ''].map(function (h) { return tb.el('th', {text: h}); })));
      d.backends.forEach(function (b) {
        var st = b.bundle ? b.bundle.state : 'UNINSTALLED';
        var tcb = b.tcb ? Object.keys(b.tcb).map(function (k) { return k + ' ' + b.tcb[k]; }).join(', ') : '—';
        var buttons = [];
        if (b.bundle && st === 'ACTIVE') {
          buttons.push(tb.el('button', {'class': 'tb-stop', 'data-tee': b.teeType, text: 'stop', onclick: act('stop', b.teeType)}));
          var jar = tb.el('input', {type: 'file', accept: '.jar', 'class': 'tb-update-jar', 'data-tee': b.teeType, style: 'width:14em'});
          buttons.push(tb.el('div', {}, [jar, tb.el('button', {'class': 'tb-update', 'data-tee': b.teeType, text: 'update from jar',
            onclick: function () {
              tb.file64(jar).then(function (data) {
                tb.say(msg, 'update ' + b.teeType + '…', true);
                return tb.post('update', {teeType: b.teeType, jar: data});
              }).then(function (r) { tb.say(msg, 'update ' + b.teeType + ': bundle ' + r.bundle + ' is ' + r.state, true); shown = null; refresh(); })
                .catch(function (e) { tb.say(msg, 'update ' + b.teeType + ': ' + e.message); });
            }})]));
        } else if (b.bundle) {
          buttons.push(tb.el('button', {'class': 'tb-start', 'data-tee': b.teeType, text: 'start', onclick: act('start', b.teeType)}));
        }
        table.appendChild(tb.el('tr', {'data-tee': b.teeType, 'data-present': String(b.present)}, [
          tb.el('td', {'class': 'tb-mono', text: b.teeType}),
          tb.el('td', {text: b.present ? b.vendor + ' · ' + b.product : '(away: bundle not active)'}),
          tb.el('td', {'class': 'tb-firmware', text: b.firmware || '—'}),
          tb.el('td', {'class': 'tb-mono', text: tcb}),
          tb.el('td', {}, [slots(b.keySlots)]),
          tb.el('td', {}, (b.capabilities || []).map(function (c) { return tb.el('span', {'class': 'tb-chip', text: c}); })),
          tb.el('td', {}, [b.bundle ? b.bundle.symbolicName + ' ' + b.bundle.version + ' ' : '',
            tb.el('span', {'class': 'tb-bundle-state tb-state', text: st})]),
          tb.el('td', {}, b.guests.map(function (g) {
            return tb.el('span', {'class': 'tb-chip tb-guest tb-state-' + g.state, 'data-guest': g.name, 'data-state': g.state,
              text: g.name + ' ' + g.state});
          })),
          tb.el('td', {}, buttons)]));
      });
    }).catch(function (e) { tb.say(msg, e.message); });
  }

  tb.every(1500, refresh);
})();
