/** What the page shell is rendered with. */
export interface PageOptions {
  /** Seconds between live refreshes of every section. */
  readonly refreshSeconds: number;
  /** The data routes need a key (serve.apiKeys with serve.keysForReads): the page asks for one before it fetches. */
  readonly keyRequired: boolean;
  /** Served by `pickwise serve` (API latency is measured in-process) rather than `pickwise dashboard`. */
  readonly withApi: boolean;
}

/** Where to look when a section has nothing to show: said in the page, never a blank chart. */
export const EMPTY_STATES = {
  feedback: 'No feedback yet: POST /v1/feedback with impressions, selects and cancels of the lists served (see README, Feedback).',
  summary: 'Nothing served or reported in this window: choose a longer window, or serve lists and POST /v1/feedback (see README, Feedback).',
  pipeline: 'No ingest yet: put CSV files under landing/ in the bucket and run pickwise ingest (see README, The landing contract).',
  registry: 'No registered model yet: pickwise train registers one, pickwise models promote points an alias at it (see README, Training).',
  latency: 'No requests measured yet: latency comes from the API of pickwise serve, measured in-process.',
  latencyDashboard: 'API latency is measured by pickwise serve, in-process: open /dashboard on the server that runs pickwise serve.',
} as const;

/** The windows of the summary table and the funnel (whole UTC hours up to the current one). */
export const SUMMARY_WINDOWS = ['1h', '24h', '7d'] as const;
/** The satisfaction charts' spans and buckets (`window/bucket`). */
export const SATISFACTION_SPANS = [
  { value: '24h/hour', label: '24 h, hourly' },
  { value: '7d/hour', label: '7 d, hourly' },
  { value: '30d/day', label: '30 d, daily' },
] as const;

const section = (o: { id: string; title: string; lead: string; empty: string; body: string; wide?: boolean }) => `
    <section id="${o.id}" class="card${o.wide ? ' wide' : ''}" aria-labelledby="${o.id}-title">
      <h2 id="${o.id}-title">${o.title}</h2>
      <p class="lead">${o.lead}</p>
      <p class="empty" data-empty hidden>${o.empty}</p>
      <p class="error" data-error role="alert" hidden></p>
      <div class="body" data-body>${o.body}</div>
    </section>`;

/**
 * The dashboard's HTML shell, rendered by the server: every section's heading, what it shows and its empty state
 * are in the page itself, so it reads without the script; the script (assets/dashboard.js) fetches the data routes
 * under /v1/dashboard/ and fills the sections, charts drawn with uPlot. URLs are relative, so the page also works
 * behind a reverse proxy that mounts pickwise under a prefix.
 */
export function renderPage(o: PageOptions): string {
  const windows = SUMMARY_WINDOWS.map((w) => `<option value="${w}"${w === '24h' ? ' selected' : ''}>${w}</option>`).join('');
  const spans = SATISFACTION_SPANS.map((s) => `<option value="${s.value}"${s.value === '7d/hour' ? ' selected' : ''}>${s.label}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>pickwise dashboard</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="dashboard/assets/uPlot.min.css">
  <link rel="stylesheet" href="dashboard/assets/dashboard.css">
  <script src="dashboard/assets/uPlot.iife.min.js" defer></script>
  <script type="module" src="dashboard/assets/dashboard.js"></script>
</head>
<body data-refresh-seconds="${o.refreshSeconds}" data-key-required="${o.keyRequired}" data-with-api="${o.withApi}">
  <header class="top">
    <h1>pickwise <span>are the recommendations working, and is the pipeline healthy?</span></h1>
    <div class="controls">
      <label>Window <select id="window" aria-label="Window of the funnel and the table">${windows}</select></label>
      <span id="status" class="status" aria-live="polite">Refreshes every ${o.refreshSeconds} s</span>
    </div>
  </header>
  <noscript><p class="notice">The charts need JavaScript: they are drawn from the JSON routes under /v1/dashboard/ (see README, Dashboard).</p></noscript>
  <form id="key-form" class="notice key" ${o.keyRequired ? '' : 'hidden'}>
    <label for="key-input">The dashboard's data needs an API key (serve.keysForReads is on). Enter one of serve.apiKeys:</label>
    <input id="key-input" type="password" autocomplete="off" minlength="16" required>
    <button type="submit">Use key</button>
    <span class="hint">Kept in this browser tab only (sessionStorage), sent as the x-api-key header.</span>
    <span id="key-error" class="error" role="alert" hidden></span>
  </form>
  <main>${section({
    id: 'satisfaction',
    title: 'Satisfaction over time',
    lead: `Select rate (selects / impressions) and net satisfaction ((selects − cancels) / (selects + cancels)), one line per model version. <label class="inline">Span <select id="span" aria-label="Span of the satisfaction charts">${spans}</select></label>`,
    empty: EMPTY_STATES.feedback,
    body: '<div class="charts"><figure><figcaption>Select rate</figcaption><div class="chart" id="chart-select-rate"></div></figure><figure><figcaption>Net satisfaction</figcaption><div class="chart" id="chart-net-satisfaction"></div></figure></div>',
    wide: true,
  })}${section({
    id: 'funnel',
    title: 'Funnel',
    lead: 'Impressions → selects → cancels, with reserves and completes, in the window; overall and per model version.',
    empty: EMPTY_STATES.feedback,
    body: '',
  })}${section({
    id: 'latency',
    title: 'API latency',
    lead: 'Requests per second, p50 / p95 / p99 response time and error rate of the API over the last hour, with model swaps and failed loads.',
    empty: o.withApi ? EMPTY_STATES.latency : EMPTY_STATES.latencyDashboard,
    body: '',
  })}${section({
    id: 'summary',
    title: 'Model versions by basis',
    lead: 'Online metrics per model version and basis in the window, beside the offline NDCG@10 and lift over popularity of the version’s training run.',
    empty: EMPTY_STATES.summary,
    body: '',
    wide: true,
  })}${section({
    id: 'pipeline',
    title: 'Pipeline health',
    lead: 'The last ingest, how fresh the data, the feature snapshot and the models are, and tuning studies running.',
    empty: EMPTY_STATES.pipeline,
    body: '',
  })}${section({
    id: 'registry',
    title: 'Model registry',
    lead: 'Registered models: their versions with offline metrics, aliases, and who moved what, when and why.',
    empty: EMPTY_STATES.registry,
    body: '',
  })}
  </main>
  <footer>Data from <code>/v1/dashboard/</code> (JSON, see /docs). Times in UTC.</footer>
</body>
</html>
`;
}
