/* The launch timeline: the launch log as a sequence diagram (guest owner, hypervisor, the TEE's firmware, the memory
   controller), numbered arrows with command names and statuses; the attestation flows run from the console below. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var guest = tb.el('select', {id: 'tb-tl-guest', onchange: function () { shown = null; load(); }});
  var launch = tb.el('div', {id: 'tb-tl-launch'});
  var attest = tb.el('div', {id: 'tb-tl-attest'});
  p.appendChild(tb.el('div', {'class': 'tb-bar'}, [tb.el('label', {}, ['guest ', guest])]));
  p.appendChild(msg);
  p.appendChild(tb.el('h3', {text: 'Launch'}));
  p.appendChild(launch);
  p.appendChild(tb.el('h3', {text: 'Attestation'}));
  p.appendChild(attest);
  var wanted = tb.param('guest'), shown = null;
  var ENCRYPTS = /UPDATE|PAGE\.ADD|DATA_CREATE|MEM\.PAGE|SECRET|REC_CREATE/;
  var MEASURES = /LAUNCH_MEASURE|MR\.FINALIZE/;

  function arrows(g) {
    var out = [{from: 'hypervisor', to: 'owner', label: 'platform certificates, ' + g.teeType + ' backend'},
      {from: 'owner', to: 'hypervisor', label: 'launch request: policy ' + g.policy + ', session'}];
    var m = -1;
    g.log.forEach(function (e, i) { if (m < 0 && MEASURES.test(e.command)) { m = i; } });
    if (m < 0) { m = g.log.length - 1; }
    g.log.forEach(function (e, i) {
      out.push({from: 'hypervisor', to: 'firmware', label: e.command, status: e.status + (e.code !== '0x0' ? ' ' + e.code : ''),
        failed: !e.success, title: e.detail, command: e.command});
      if (ENCRYPTS.test(e.command)) {
        out.push({from: 'firmware', to: 'memory', label: 'encrypt with ' + (g.keySlot || 'the guest key'), title: e.detail});
      }
      if (i === m) {
        out.push({from: 'firmware', to: 'hypervisor', label: 'launch measurement'});
        out.push({from: 'hypervisor', to: 'owner', label: 'the measurement, for the owner to check'});
        out.push({from: 'owner', to: 'hypervisor', label: 'approved: the secrets to inject'});
      }
    });
    return out;
  }

  function diagram(id, actors, list) {
    var W = 920, top = 46, row = 30, xs = {};
    actors.forEach(function (a, i) { xs[a.id] = 90 + i * ((W - 180) / (actors.length - 1)); });
    var H = top + list.length * row + 20;
    var s = tb.svg('svg', {id: id, width: W, height: H, 'class': 'tb-sequence'}, [
      tb.svg('defs', {}, [tb.svg('marker', {id: id + '-head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
        markerHeight: 7, orient: 'auto-start-reverse'}, [tb.svg('path', {d: 'M0 0L10 5L0 10z', fill: '#333'})])])]);
    actors.forEach(function (a) {
      var name = a.name.length > 34 ? a.name.slice(0, 33) + '…' : a.name;
      var w = Math.min(228, Math.max(160, name.length * 6.6 + 16));
      s.appendChild(tb.svg('rect', {x: xs[a.id] - w / 2, y: 4, width: w, height: 28, rx: 5, fill: a.fill, stroke: '#555'},
        [tb.svg('title', {text: a.name})]));
      s.appendChild(tb.svg('text', {x: xs[a.id], y: 23, 'text-anchor': 'middle', 'font-size': name.length > 24 ? 10.5 : 12,
        'class': 'tb-actor', text: name}));
      s.appendChild(tb.svg('line', {x1: xs[a.id], y1: 32, x2: xs[a.id], y2: H - 6, stroke: '#999', 'stroke-dasharray': '4 3'}));
    });
    list.forEach(function (a, i) {
      var y = top + i * row + 12, x1 = xs[a.from], x2 = xs[a.to];
      var g = tb.svg('g', {'class': 'tb-arrow', 'data-n': i + 1, 'data-command': a.command || '', 'data-status': a.status || ''},
        [tb.svg('title', {text: a.title || a.label})]);
      if (x1 === x2) {
        g.appendChild(tb.svg('path', {d: 'M' + x1 + ' ' + (y - 6) + 'h30v12h-28', fill: 'none', stroke: '#333', 'marker-end': 'url(#' + id + '-head)'}));
      } else {
        g.appendChild(tb.svg('line', {x1: x1, y1: y, x2: x2 + (x2 > x1 ? -2 : 2), y2: y, stroke: a.failed ? '#b00020' : '#333',
          'stroke-width': 1.4, 'marker-end': 'url(#' + id + '-head)'}));
      }
      var mid = x1 === x2 ? x1 + 36 : (x1 + x2) / 2;
      g.appendChild(tb.svg('text', {x: mid, y: y - 4, 'text-anchor': x1 === x2 ? 'start' : 'middle', 'font-size': 11,
        fill: a.failed ? '#b00020' : '#111', text: (i + 1) + '  ' + a.label + (a.status ? '  → ' + a.status : '')}));
      s.appendChild(g);
    });
    return s;
  }

  function load() {
    tb.get('guests').then(function (d) {
      tb.options(guest, d.guests.map(function (g) { return g.name; }), wanted);
      wanted = null;
      if (!guest.value) { tb.say(msg, 'no guest yet: create and launch one on the Guests panel'); return null; }
      return tb.get('timeline', {guest: guest.value}).then(function (g) {
        var key = g.name + g.state + g.log.length + ':' + g.attestations.length;
        if (key === shown) { return; }
        shown = key;
        tb.clear(msg);
        tb.clear(launch);
        if (!g.log.length) {
          launch.appendChild(tb.el('p', {text: g.name + ' is ' + g.state + ': no firmware command yet'}));
        } else {
          launch.appendChild(diagram('tb-timeline', [
            {id: 'owner', name: 'guest owner', fill: '#fde7c8'}, {id: 'hypervisor', name: 'hypervisor', fill: '#dfe6f3'},
            {id: 'firmware', name: g.firmware, fill: '#e6dcf5'}, {id: 'memory', name: 'memory controller', fill: '#d8f0dc'}],
            arrows(g)));
        }
        tb.clear(attest);
        if (!g.attestations.length) {
          attest.appendChild(tb.el('p', {text: 'none yet: the Evidence panel attests a running guest'}));
        }
        g.attestations.forEach(function (flow, i) {
          attest.appendChild(diagram('tb-attestation-' + i, [
            {id: 'owner', name: 'guest owner / verifier', fill: '#fde7c8'}, {id: 'guest', name: 'guest ' + g.name, fill: '#dfe6f3'},
            {id: 'firmware', name: g.firmware, fill: '#e6dcf5'}], flow));
        });
      });
    }).catch(function (e) { tb.say(msg, e.message); });
  }

  tb.every(2000, load);
})();
