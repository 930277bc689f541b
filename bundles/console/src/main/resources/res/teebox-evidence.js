/* Evidence: attest a running guest or upload a report/quote; its fields with offsets, the chain, the appraisal with
   each check's reason; download in the vendor's format. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var guest = tb.el('select', {id: 'tb-ev-guest'});
  var rd = tb.el('input', {id: 'tb-ev-data', placeholder: 'report data, hex', size: 34, value: '00112233'});
  var attestGo = tb.el('button', {id: 'tb-ev-attest', text: 'Attest', onclick: function () {
    tb.say(msg, 'the guest asks its firmware for signed evidence…', true);
    tb.post('attest', {guest: guest.value, reportData: rd.value}).then(show).catch(function (e) { tb.say(msg, e.message); });
  }});
  var format = tb.el('select', {id: 'tb-ev-format'});
  var file = tb.el('input', {id: 'tb-ev-file', type: 'file'});
  var certs = tb.el('input', {id: 'tb-ev-certs', type: 'file'});
  var roots = tb.el('input', {id: 'tb-ev-roots', type: 'file'});
  var nonce = tb.el('input', {id: 'tb-ev-nonce', placeholder: 'nonce, hex (if the format has one)', size: 30});
  var emulated = tb.el('input', {id: 'tb-ev-emulated', type: 'checkbox', checked: 'checked'});
  var upload = tb.el('button', {id: 'tb-ev-upload', text: 'Decode and verify', onclick: function () {
    Promise.all([tb.file64(file), tb.fileText(certs), tb.fileText(roots)]).then(function (f) {
      return tb.post('upload', {format: format.value, report: f[0], certs: f[1], roots: f[2], nonce: nonce.value,
        trustEmulated: String(emulated.checked)});
    }).then(show).catch(function (e) { tb.say(msg, e.message); });
  }});
  var out = tb.el('div', {id: 'tb-ev-result'});
  p.appendChild(tb.el('h3', {text: 'From a running guest'}));
  p.appendChild(tb.el('div', {'class': 'tb-bar'}, [tb.el('label', {}, ['guest ', guest]), rd, attestGo]));
  p.appendChild(tb.el('h3', {text: 'From a file'}));
  p.appendChild(tb.el('div', {'class': 'tb-bar'}, [tb.el('label', {}, ['format ', format]), tb.el('label', {}, ['report ', file]),
    tb.el('label', {}, ['chain (PEM) ', certs]), tb.el('label', {}, ['trusted roots (PEM) ', roots]), nonce,
    tb.el('label', {}, [emulated, 'also trust this machine\'s emulated vendor roots']), upload]));
  p.appendChild(tb.el('p', {}, [tb.el('small', {text: 'A running guest\'s evidence is verified against this machine\'s '
    + 'emulated vendor roots (what its emulated collateral services vouch under); genuine evidence needs the vendor\'s own '
    + 'root, given as trusted roots.'})]));
  p.appendChild(msg);
  p.appendChild(out);

  function show(r) {
    tb.clear(msg);
    tb.clear(out).setAttribute('data-format', r.format);
    out.appendChild(tb.el('h3', {text: r.format + ', ' + r.size + ' bytes'}));
    out.appendChild(tb.el('p', {}, [
      tb.el('a', {id: 'tb-ev-download-report', href: tb.base + '/download?id=' + r.id + '&part=report', text: 'download the report'}),
      ' · ', tb.el('a', {id: 'tb-ev-download-certs', href: tb.base + '/download?id=' + r.id + '&part=certs', text: 'download the chain (PEM)'})]));
    if (r.error) { out.appendChild(tb.el('p', {'class': 'tb-error', text: r.error})); }
    if (r.appraisal) {
      var a = r.appraisal;
      var box = tb.el('div', {id: 'tb-ev-appraisal', 'data-status': a.status, 'data-accepted': String(a.accepted)}, [
        tb.el('p', {}, ['appraisal: ', tb.el('span', {'class': a.accepted ? 'tb-ok' : 'tb-error', text: a.status + (a.accepted ? ' (accepted)' : ' (rejected)')})])]);
      var ul = tb.el('ul', {});
      a.checks.forEach(function (c) {
        ul.appendChild(tb.el('li', {'class': 'tb-check', 'data-passed': String(c.passed), 'data-check': c.check},
          [(c.passed ? '✔ ' : '✘ ') + c.check + (c.claim ? ' [' + c.claim + ' ' + c.tier + ']' : '') + ': ' + c.reason]));
      });
      box.appendChild(ul);
      out.appendChild(box);
    }
    if (r.chain && r.chain.length) {
      var ol = tb.el('ol', {id: 'tb-ev-chain'});
      r.chain.forEach(function (c) {
        ol.appendChild(tb.el('li', {text: c.subject + (c.issuer ? '  ← issued by ' + c.issuer + ' · ' + c.algorithm + ' · until ' + c.notAfter : ' (' + c.bytes + ' bytes)')}));
      });
      out.appendChild(tb.el('h3', {text: 'Certificate chain, leaf first'}));
      out.appendChild(ol);
    }
    out.appendChild(tb.el('h3', {text: 'Fields'}));
    if (r.fieldsError) { out.appendChild(tb.el('p', {'class': 'tb-error', text: r.fieldsError})); }
    var t = tb.el('table', {'class': 'tb', id: 'tb-ev-fields'}, [tb.el('tr', {}, ['offset', 'length', 'field', 'value']
      .map(function (h) { return tb.el('th', {text: h}); }))]);
    r.fields.forEach(function (f) {
      t.appendChild(tb.el('tr', {'data-field': f.name}, [tb.el('td', {'class': 'tb-mono', text: '0x' + f.offset.toString(16).toUpperCase()}),
        tb.el('td', {text: String(f.length)}), tb.el('td', {'class': 'tb-mono', text: f.name}),
        tb.el('td', {'class': 'tb-mono', text: f.value})]));
    });
    out.appendChild(t);
  }

  tb.every(3000, function () {
    tb.get('sources').then(function (d) {
      tb.options(guest, d.guests);
      tb.options(format, d.formats);
    }).catch(function (e) { tb.say(msg, e.message); });
  });
})();
