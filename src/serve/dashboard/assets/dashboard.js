// The dashboard page's script: fetches the JSON routes under v1/dashboard/, fills the server-rendered sections and
// draws the charts with uPlot (loaded before this module as the global `uPlot`), every data-refresh-seconds.
import { fail, renderFunnel, renderLatency, renderPipeline, renderRegistry, renderSatisfaction, renderSummary, resizeCharts } from './dashboard-sections.js';

const KEY_STORAGE = 'pickwise.apiKey';
const body = document.body;
const refreshSeconds = Number(body.dataset.refreshSeconds) || 30;
const state = { window: '24h', span: '7d/hour', busy: false, again: false };

/** The answer of a data route that refused the request for want of a valid key. */
class KeyNeeded extends Error {}

function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function getJson(route) {
  const headers = { accept: 'application/json' };
  const key = storedKey();
  if (key) headers['x-api-key'] = key;
  const res = await fetch(`v1/dashboard/${route}`, { headers, cache: 'no-store' });
  if (res.status === 401) throw new KeyNeeded(key ? 'The key was refused: enter a valid one.' : '');
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${route}: ${data?.detail ?? `answered ${res.status}`}`);
  return data;
}

// --- refresh --------------------------------------------------------------------------------------------------------

const SECTIONS = [
  ['satisfaction', () => `satisfaction?window=${state.span.split('/')[0]}&bucket=${state.span.split('/')[1]}`, renderSatisfaction],
  ['funnel', () => `funnel?window=${state.window}`, renderFunnel],
  ['summary', () => `summary?window=${state.window}`, renderSummary],
  ['pipeline', () => 'pipeline', renderPipeline],
  ['registry', () => 'registry', renderRegistry],
  ['latency', () => 'latency?window=1h', renderLatency],
];

function askForKey(message) {
  const form = document.getElementById('key-form');
  const error = document.getElementById('key-error');
  form.hidden = false;
  error.textContent = message;
  error.hidden = message === '';
  document.getElementById('status').textContent = 'Waiting for an API key';
}

async function refresh() {
  // A change made while a refresh is in flight (another window) is fetched right after it.
  if (state.busy) {
    state.again = true;
    return;
  }
  if (body.dataset.keyRequired === 'true' && !storedKey()) return askForKey('');
  state.busy = true;
  try {
    const results = await Promise.allSettled(SECTIONS.map(([, route]) => getJson(route())));
    const refused = results.find((r) => r.status === 'rejected' && r.reason instanceof KeyNeeded);
    if (refused) {
      sessionStorage.removeItem(KEY_STORAGE);
      return askForKey(refused.reason.message || 'These routes need an API key.');
    }
    document.getElementById('key-form').hidden = true;
    results.forEach((r, i) => {
      const [id, , render] = SECTIONS[i];
      if (r.status === 'fulfilled') render(r.value);
      else fail(id, r.reason);
    });
    document.getElementById('status').textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC · refreshes every ${refreshSeconds} s`;
    body.dataset.loaded = 'true';
  } finally {
    state.busy = false;
    if (state.again) {
      state.again = false;
      void refresh();
    }
  }
}

document.getElementById('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('key-input');
  sessionStorage.setItem(KEY_STORAGE, input.value.trim());
  input.value = '';
  void refresh();
});
document.getElementById('window').addEventListener('change', (event) => {
  state.window = event.target.value;
  void refresh();
});
document.getElementById('span').addEventListener('change', (event) => {
  state.span = event.target.value;
  void refresh();
});
window.addEventListener('resize', resizeCharts);

void refresh();
setInterval(() => void refresh(), refreshSeconds * 1000);
