/* Guests: list, create, launch with uploads, pause, resume, destroy; one guest's state, measurement, launch log. */
(function () {
  'use strict';
  var tb = window.teebox, p = tb.clear(tb.root);
  var msg = tb.el('p', {id: 'tb-message'});
  var tee = tb.el('select', {id: 'tb-create-tee'});
  var name = tb.el('input', {id: 'tb-create-name', placeholder: 'name', size: 12});
  var vcpus = tb.el('input', {id: 'tb-create-vcpus', type: 'number', min: 1, max: 64, value: 1, style: 'width:4em'});
  var mem = tb.el('input', {id: 'tb-create-memory', type: 'number', min: 1, value: 64, style: 'width:5em'});
  var create = tb.el('button', {id: 'tb-create-go', text: 'Create', onclick: function () {
    tb.post('create', {teeType: tee.value, name: name.value, vcpus: vcpus.value, memoryMiB: mem.value})
      .then(function (g) { tb.say(msg, 'created ' + g.name + ' (' + g.teeType + ', ' + g.state + ')', true); select(g.name); refresh(); })
      .catch(function (e) { tb.say(msg, e.message); });
  }});
  p.appendChild(tb.el('h3', {text: 'Create a guest'}));
  p.appendChild(tb.el('div', {'class': 'tb-bar', id: 'tb-create'}, [
    tb.el('label', {}, ['TEE ', tee]), tb.el('label', {}, ['name ', name]),
    tb.el('label', {}, ['vCPUs ', vcpus]), tb.el('label', {}, ['memory MiB ', mem]), create]));
  p.appendChild(msg);
  p.appendChild(tb.el('h3', {text: 'Guests'}));
  var table = tb.el('table', {'class': 'tb', id: 'tb-guests'});
  p.appendChild(table);
  var detail = tb.el('div', {id: 'tb-guest-detail'});
  p.appendChild(detail);
  var chosen = tb.param('guest');

  function act(action, guest) {
    return function () {
      if (action === 'destroy' && !confirm('Destroy ' + guest + '? Its memory and firmware context are freed.')) { return; }
      tb.post(action, {guest: guest})
        .then(function () { tb.say(msg, action + ' ' + guest + ': done', true); refresh(); })
        .catch(function (e) { tb.say(msg, action + ' ' + guest + ': ' + e.message); });
    };
  }

  function select(g) { chosen = g; show(); }

  function refresh() {
    tb.get('guests').then(function (d) {
      tb.options(tee, d.backends.map(function (b) { return b.teeType; }));
      tb.clear(table).appendChild(tb.el('tr', {}, ['name', 'TEE', 'state', 'vCPUs', 'memory', 'key slot', 'policy',
        'pages', ''].map(function (h) { return tb.el('th', {text: h}); })));
      d.guests.forEach(function (g) {
        var buttons = [tb.el('button', {'class': 'tb-show', text: 'show', onclick: function () { select(g.name); }})];
        if (g.state === 'CREATED') { buttons.push(tb.el('button', {'class': 'tb-launch', 'data-guest': g.name, text: 'launch…', onclick: function () { select(g.name); }})); }
        if (g.state === 'RUNNING') { buttons.push(tb.el('button', {'class': 'tb-pause', text: 'pause', onclick: act('pause', g.name)})); }
        if (g.state === 'PAUSED') { buttons.push(tb.el('button', {'class': 'tb-resume', text: 'resume', onclick: act('resume', g.name)})); }
        if (g.state !== 'TERMINATED') { buttons.push(tb.el('button', {'class': 'tb-destroy', text: 'destroy', onclick: act('destroy', g.name)})); }
        buttons.push(tb.el('a', {href: tb.console + '/teebox-memory?guest=' + encodeURIComponent(g.name), text: 'memory'}));
        buttons.push(' ');
        buttons.push(tb.el('a', {href: tb.console + '/teebox-timeline?guest=' + encodeURIComponent(g.name), text: 'timeline'}));
        table.appendChild(tb.el('tr', {'data-guest': g.name, 'data-state': g.state}, [
          tb.el('td', {text: g.name}), tb.el('td', {text: g.teeType}),
          tb.el('td', {'class': 'tb-state tb-state-' + g.state, text: g.state}),
          tb.el('td', {text: String(g.vcpus)}), tb.el('td', {text: (g.memory / 1048576) + ' MiB'}),
          tb.el('td', {text: g.keySlot || '—'}, []), tb.el('td', {'class': 'tb-mono', text: g.policy}),
          tb.el('td', {text: String(g.residentPages)}), tb.el('td', {}, buttons)]));
      });
      if (chosen) { show(); }
    }).catch(function (e) { tb.say(msg, e.message); });
  }

  var shownState = null, shownName = null;
  function show() {
    if (!chosen) { return; }
    tb.get('guest', {guest: chosen}).then(function (g) {
      if (shownName === g.name && shownState === g.state + ':' + (g.log || []).length) { return; }
      shownName = g.name; shownState = g.state + ':' + (g.log || []).length;
      tb.clear(detail).appendChild(tb.el('h3', {text: 'Guest ' + g.name}));
      detail.appendChild(tb.el('p', {}, ['state ', tb.el('span', {id: 'tb-detail-state', 'class': 'tb-state tb-state-' + g.state, text: g.state}),
        ' · ' + g.teeType + ' · key slot ' + (g.keySlot || 'none') + ' · policy ' + g.policy + (g.note ? ' · ' + g.note : '')]));
      if (g.state === 'CREATED') { detail.appendChild(launchForm(g)); }
      if (g.measurement) {
        var fields = Object.keys(g.measurement.fields || {}).map(function (k) { return k + ': ' + g.measurement.fields[k]; }).join('; ');
        detail.appendChild(tb.el('p', {}, ['measurement (' + g.measurement.format + '): ',
          tb.el('code', {id: 'tb-measurement', text: (g.measurement.value || '(none revealed)') + (fields ? ' · ' + fields : '')})]));
      }
      if (g.log && g.log.length) {
        var log = tb.el('table', {'class': 'tb', id: 'tb-log'}, [tb.el('tr', {}, ['#', 'command', 'status', 'detail']
          .map(function (h) { return tb.el('th', {text: h}); }))]);
        g.log.forEach(function (e) {
          log.appendChild(tb.el('tr', {}, [tb.el('td', {text: String(e.sequence)}), tb.el('td', {'class': 'tb-mono', text: e.command}),
            tb.el('td', {'class': 'tb-mono', text: e.status + ' (' + e.code + ')'}), tb.el('td', {text: e.detail})]));
        });
        detail.appendChild(tb.el('h3', {text: 'Launch log'}));
        detail.appendChild(log);
      }
    }).catch(function (e) { tb.say(msg, e.message); chosen = null; });
  }

  function launchForm(g) {
    var fw = tb.el('input', {type: 'file', id: 'tb-launch-firmware'});
    var k = tb.el('input', {type: 'file', id: 'tb-launch-kernel'});
    var rd = tb.el('input', {type: 'file', id: 'tb-launch-initrd'});
    var cl = tb.el('input', {id: 'tb-launch-cmdline', placeholder: 'kernel command line', size: 30});
    var pol = tb.el('input', {id: 'tb-launch-policy', placeholder: 'policy (default the backend\'s)', size: 22});
    var secret = tb.el('input', {id: 'tb-launch-secret', placeholder: 'secret the owner injects', size: 22});
    var go = tb.el('button', {id: 'tb-launch-go', text: 'Launch', onclick: function () {
      go.disabled = true;
      tb.say(msg, 'launching ' + g.name + ': the guest owner prepares, the firmware measures…', true);
      Promise.all([tb.file64(fw), tb.file64(k), tb.file64(rd)]).then(function (files) {
        return tb.post('launch', {guest: g.name, firmware: files[0], kernel: files[1], initrd: files[2],
          cmdline: cl.value, policy: pol.value, secret: secret.value});
      }).then(function (r) {
        tb.say(msg, 'launched ' + r.name + ': ' + r.state + ', ' + r.log.length + ' firmware commands', true);
        shownState = null; refresh();
      }).catch(function (e) { go.disabled = false; tb.say(msg, 'launch ' + g.name + ': ' + e.message); });
    }});
    return tb.el('div', {id: 'tb-launch'}, [tb.el('h3', {text: 'Launch'}),
      tb.el('div', {'class': 'tb-bar'}, [tb.el('label', {}, ['firmware ', fw]), tb.el('label', {}, ['kernel ', k]),
        tb.el('label', {}, ['initrd ', rd])]),
      tb.el('div', {'class': 'tb-bar'}, [cl, pol, secret, go]),
      tb.el('p', {}, [tb.el('small', {text: 'No file: the TEE\'s built-in firmware, no kernel.'})])]);
  }

  tb.every(2000, refresh);
})();
