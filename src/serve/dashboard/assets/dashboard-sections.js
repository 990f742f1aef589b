// The dashboard's sections: each fills its server-rendered card from one data route's answer, or shows the card's
// empty state (the what-to-do text in the page) when there is nothing to show. Charts are uPlot's (the global `uPlot`).
import * as view from './dashboard-view.js';

/** The uPlot chart in each chart container, by the container's id (replaced at each refresh). */
const charts = new Map();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function table(headers, rows, opts = {}) {
  const head = el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })));
  const lines = rows.map((cells) =>
    el('tr', {}, ...cells.map((c, i) => el(i === 0 && opts.rowHeader ? 'th' : 'td', i === 0 && opts.rowHeader ? { scope: 'row', text: c } : { text: c }))),
  );
  return el('table', { class: opts.class ?? '' }, el('thead', {}, head), el('tbody', {}, ...lines));
}

function sectionOf(id) {
  const root = document.getElementById(id);
  return { root, body: root.querySelector('[data-body]'), empty: root.querySelector('[data-empty]'), error: root.querySelector('[data-error]') };
}

/** Shows a section's content, or its empty state (the server-rendered what-to-do text) when it has none. */
function show(id, isEmpty, fill) {
  const s = sectionOf(id);
  s.error.hidden = true;
  s.empty.hidden = !isEmpty;
  s.root.dataset.state = isEmpty ? 'empty' : 'filled';
  s.body.hidden = isEmpty;
  if (!isEmpty) fill(s.body);
}

export function fail(id, error) {
  const s = sectionOf(id);
  s.error.textContent = `Could not load: ${error.message}`;
  s.error.hidden = false;
  s.root.dataset.state = 'error';
}

// --- charts -------------------------------------------------------------------------------------------------------

function lineChart(container, o) {
  const previous = charts.get(container.id);
  if (previous) previous.destroy();
  container.replaceChildren();
  const width = Math.max(280, container.clientWidth || 560);
  const opts = {
    width,
    height: 220,
    legend: { live: false },
    // Times in UTC, as everywhere in pickwise (not the browser's zone).
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: o.range ? { range: o.range } : {} },
    axes: [
      { stroke: '#5b6573', grid: { stroke: '#eceff3' } },
      { stroke: '#5b6573', grid: { stroke: '#eceff3' }, size: 56, values: (_u, ticks) => ticks.map(o.tick) },
    ],
    series: [
      {},
      ...o.labels.map((label, i) => ({ label, stroke: view.PALETTE[i % view.PALETTE.length], width: 2, points: { size: 5 }, value: (_u, v) => o.format(v) })),
    ],
  };
  const chart = new window.uPlot(opts, o.data, container);
  charts.set(container.id, chart);
}

// --- sections -------------------------------------------------------------------------------------------------------

export function renderSatisfaction(data) {
  const series = data.series ?? [];
  show('satisfaction', !view.hasPoints(series), () => {
    const labels = series.map((s) => view.versionLabel(s.model, s.version));
    lineChart(document.getElementById('chart-select-rate'), {
      labels,
      data: view.alignSeries(series, 'selectRate'),
      range: [0, null],
      tick: (v) => `${Math.round(v * 1000) / 10} %`,
      format: view.percent,
    });
    lineChart(document.getElementById('chart-net-satisfaction'), {
      labels,
      data: view.alignSeries(series, 'netSatisfaction'),
      range: [-1, 1],
      tick: (v) => v.toFixed(1),
      format: view.signed,
    });
  });
}

function funnelBlock(title, steps) {
  const counts = view.stepCounts(steps);
  const top = Math.max(1, ...counts.map((c) => c.events));
  const rows = counts.map((c) => {
    const ratio = view.stepRatio(counts, c.type);
    const note = c.type === 'select' ? ` · ${view.percent(ratio)} of impressions` : c.type === 'cancel' ? ` · ${view.percent(ratio)} of selects` : '';
    const bar = el('span', { class: `bar step-${c.type}` });
    bar.style.width = `${(100 * c.events) / top}%`;
    return el(
      'div',
      { class: 'funnel-row', 'data-step': c.type, 'data-events': String(c.events) },
      el('span', { class: 'step', text: `${c.type}s` }),
      el('span', { class: 'track' }, bar),
      el('span', { class: 'n', text: `${view.count(c.events)}${note}` }),
    );
  });
  return el('div', { class: 'funnel', 'data-funnel': title }, el('h3', { text: title }), ...rows);
}

export function renderFunnel(data) {
  const total = (data.steps ?? []).reduce((n, s) => n + s.events, 0);
  show('funnel', total === 0, (root) => {
    const blocks = [funnelBlock('all events', data.steps)];
    for (const m of data.byModel ?? []) blocks.push(funnelBlock(view.versionLabel(m.model, m.version), m.steps));
    root.replaceChildren(...blocks);
  });
}

export function renderSummary(data) {
  const rows = data.rows ?? [];
  show('summary', rows.length === 0, (root) => {
    const headers = [
      'version',
      'basis',
      'impressions',
      'select rate',
      'cancel rate',
      'net satisfaction',
      'unattributed',
      'lists',
      'coverage',
      'fallback',
      'NDCG@10 (offline)',
      'lift (offline)',
    ];
    const cells = rows.map((r) => [
      `${view.versionLabel(r.model, r.version)}${r.serving ? ' ●' : ''}`,
      r.basis ?? '—',
      view.count(r.impressions),
      view.percent(r.selectRate),
      view.percent(r.cancelRate),
      view.signed(r.netSatisfaction),
      view.percent(r.unattributedShare),
      view.count(r.lists),
      view.percent(r.coverage),
      view.percent(r.fallbackShare),
      view.decimal(r.offline?.ndcgAt10),
      view.lift(r.offline?.liftOverPopularity),
    ]);
    root.replaceChildren(
      table(headers, cells, { class: 'summary', rowHeader: true }),
      el('p', { class: 'note', text: `● the version pickwise serve answers with. Window ${data.window}, as of ${view.utc(data.generatedAt)}.` }),
    );
  });
}

function tiles(pairs) {
  return el('dl', { class: 'tiles' }, ...pairs.map(([k, v]) => el('div', { class: 'tile' }, el('dt', { text: k }), el('dd', { text: v }))));
}

export function renderPipeline(data) {
  const nothing = data.lastIngest === null && data.newestReservationAt === null && (data.models ?? []).length === 0;
  show('pipeline', nothing, (root) => {
    const last = data.lastIngest;
    const rejected = last ? Object.entries(last.rejectedByReason ?? {}) : [];
    const parts = [
      tiles([
        ['last ingest', last ? view.utc(last.at) : 'never'],
        ['files · rows loaded', last ? `${view.count(last.files)} · ${view.count(last.rows)}` : '—'],
        ['rows rejected · files failed', last ? `${view.count(last.rejectedRows ?? 0)} · ${view.count(last.failed ?? 0)}` : '—'],
        ['data age (newest reservation)', view.age(data.dataAgeHours)],
        ['feature snapshot age', view.age(data.featureSnapshotAgeHours)],
        ['tuning studies running', view.count(data.tuningStudiesRunning)],
      ]),
    ];
    if (rejected.length > 0)
      parts.push(
        table(
          ['rejected by reason', 'rows'],
          rejected.map(([code, n]) => [code, view.count(n)]),
          { class: 'compact' },
        ),
      );
    if ((data.models ?? []).length > 0)
      parts.push(
        table(
          ['model', 'age'],
          data.models.map((m) => [view.versionLabel(m.name, m.version), view.age(m.ageHours)]),
          { class: 'compact', rowHeader: true },
        ),
      );
    root.replaceChildren(...parts);
  });
}

export function renderRegistry(data) {
  const models = data.models ?? [];
  show('registry', models.length === 0, (root) => {
    root.replaceChildren(
      ...models.map((m) => {
        const aliases = (m.aliases ?? []).map((a) => `${a.alias} → v${a.version}`).join(' · ') || 'no alias';
        const versions = table(
          ['version', 'created', 'NDCG@10', 'lift over popularity'],
          (m.versions ?? []).map((v) => [
            `v${v.version}${v.status && v.status !== 'active' ? ` (${v.status})` : ''}`,
            view.utc(v.createdAt),
            view.decimal(v.metrics?.ndcgAt10),
            view.lift(v.metrics?.liftOverPopularity),
          ]),
          { class: 'compact', rowHeader: true },
        );
        const events = table(
          ['when', 'what', 'who', 'why'],
          (m.events ?? [])
            .slice(0, 8)
            .map((e) => [view.utc(e.at), `${e.action} v${e.version}${e.alias ? ` → ${e.alias}` : ''}`, e.actor ?? '—', e.reason ?? '—']),
          { class: 'compact events' },
        );
        return el('div', { class: 'model', 'data-model': m.name }, el('h3', { text: m.name }), el('p', { class: 'aliases', text: aliases }), versions, events);
      }),
    );
  });
}

export function renderLatency(data) {
  const s = sectionOf('latency');
  if (data.available === false) {
    s.empty.textContent = data.reason ? `${data.reason}` : s.empty.textContent;
    show('latency', true, () => {});
    return;
  }
  const requests = data.responses ?? 0;
  show('latency', requests === 0, (root) => {
    root.replaceChildren(
      tiles([
        ['requests / s', data.ratePerSecond === null || data.ratePerSecond === undefined ? '—' : data.ratePerSecond.toFixed(2)],
        ['p50', view.millis(data.p50Ms)],
        ['p95', view.millis(data.p95Ms)],
        ['p99', view.millis(data.p99Ms)],
        ['error rate (5xx)', `${view.percent(data.errorRate)} of ${view.count(requests)}`],
        ['model swaps · failed loads', `${view.count(data.modelSwaps ?? 0)} · ${view.count(data.failedLoads ?? 0)}`],
      ]),
    );
  });
}

/** Fits every chart to its container's width (after the window was resized). */
export function resizeCharts() {
  for (const [id, chart] of charts) chart.setSize({ width: Math.max(280, document.getElementById(id).clientWidth), height: 220 });
}
