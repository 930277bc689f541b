/* Devices: the device TEEs present, their mode and guest; attach, detach, change the mode. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var table = tb.el('table', {'class': 'tb', id: 'tb-devices'});
  p.appendChild(tb.el('p', {text: 'A device TEE attached to a confidential guest talks to it through an SPDM session; '
    + 'the host sees its bounce buffers as ciphertext.'}));
  p.appendChild(msg);
  p.appendChild(table);
  var shown = null;

  function act(action, body) {
    tb.post(action, body).then(function () { tb.say(msg, action + ' ' + body.device + ': done', true); shown = null; refresh(); })
      .catch(function (e) { tb.say(msg, action + ' ' + body.device + ': ' + e.message); });
  }

  function refresh() {
    tb.get('devices').then(function (d) {
      var key = JSON.stringify(d);
      if (key === shown) { return; }
      shown = key;
      tb.clear(table).appendChild(tb.el('tr', {}, ['device', 'TEE', 'mode', 'guest', 'reports', '']
        .map(function (h) { return tb.el('th', {text: h}); })));
      if (!d.devices.length) { tb.say(msg, 'no device TEE is present'); }
      d.devices.forEach(function (v) {
        var mode = tb.el('select', {'class': 'tb-mode', 'data-device': v.id});
        tb.options(mode, v.modes, v.mode);
        var guest = tb.el('select', {'class': 'tb-guest-select', 'data-device': v.id});
        tb.options(guest, d.guests);
        var buttons = [mode, tb.el('button', {text: 'set mode', onclick: function () { act('mode', {device: v.id, mode: mode.value}); }})];
        if (v.guest) {
          buttons.push(tb.el('button', {'class': 'tb-detach', text: 'detach from ' + v.guest,
            onclick: function () { act('detach', {device: v.id, guest: v.guest}); }}));
        } else {
          buttons.push(guest);
          buttons.push(tb.el('button', {'class': 'tb-attach', text: 'attach',
            onclick: function () { act('attach', {device: v.id, guest: guest.value}); }}));
        }
        table.appendChild(tb.el('tr', {'data-device': v.id, 'data-mode': v.mode}, [
          tb.el('td', {'class': 'tb-mono', text: v.id}), tb.el('td', {text: v.teeType}),
          tb.el('td', {'class': 'tb-state', text: v.mode + (v.confidential ? ' (confidential)' : '')}),
          tb.el('td', {text: v.guest || '—'}),
          tb.el('td', {'class': 'tb-mono'}, Object.keys(v.properties).map(function (k) {
            return tb.el('div', {text: k + ' ' + v.properties[k]});
          })),
          tb.el('td', {}, buttons)]));
      });
    }).catch(function (e) { tb.say(msg, e.message); });
  }

  tb.every(2500, refresh);
})();
