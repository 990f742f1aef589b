import type { FastifyPluginAsync } from 'fastify';
import type { FeedbackConfig } from '../../config/index.ts';
import { recordFeedback, type FeedbackInput, type ServedListRecorder } from '../../feedback/index.ts';
import { AppError, BackendUnavailableError, systemClock, type Clock } from '../../shared/index.ts';
import { FeedbackRepo, type Warehouse } from '../../warehouse/index.ts';
import type { ServeMetrics } from '../metrics.ts';
import { RoutePath } from '../route-paths.ts';
import { feedbackSchema } from '../schemas.ts';

/** Largest feedback request body: 1 000 events with every field at its longest fit well below it. */
export const FEEDBACK_BODY_LIMIT = 2 * 1024 * 1024;

/** What the feedback route needs. */
export interface FeedbackRouteDeps {
  readonly warehouse: Warehouse;
  readonly metrics: ServeMetrics;
  readonly config: Readonly<Pick<FeedbackConfig, 'attributionWindow' | 'maxClockSkew'>>;
  /** The served-list recorder, so that a reaction to a list served a moment ago finds it. */
  readonly recorder?: ServedListRecorder | undefined;
  readonly clock?: Clock | undefined;
}

type FeedbackBody = FeedbackInput | { readonly events: readonly FeedbackInput[] };

/**
 * POST /v1/feedback (write): reactions to recommended services, one event or a batch, stored synchronously in one
 * transaction (a 200 means committed), each attributed to the list that caused it; event_id makes retries safe.
 */
export const feedbackRoutes: FastifyPluginAsync<FeedbackRouteDeps> = async (app, deps) => {
  const repo = new FeedbackRepo(deps.warehouse);
  const clock = deps.clock ?? systemClock;

  app.post(RoutePath.feedback, { config: { access: 'write' }, bodyLimit: FEEDBACK_BODY_LIMIT, schema: feedbackSchema }, async (req) => {
    const body = req.body as FeedbackBody;
    const events = 'events' in body ? body.events : [body];
    const outcomes = await (async () => {
      try {
        await deps.recorder?.writeIfPending(events.flatMap((e) => (e.recommendation_id === undefined ? [] : [e.recommendation_id])));
        return await recordFeedback({ repo, events, now: clock(), attributionWindow: deps.config.attributionWindow, maxClockSkew: deps.config.maxClockSkew });
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new BackendUnavailableError('the warehouse could not store the feedback: nothing of this request was stored; send it again', { cause: error });
      }
    })();
    const count = { stored: 0, duplicate: 0, rejected: 0 };
    for (const [i, o] of outcomes.entries()) {
      count[o.status]++;
      deps.metrics.feedbackEvents.inc({ type: events[i]!.type, status: o.status, attribution: o.status === 'stored' ? o.attribution : '' });
    }
    return { stored: count.stored, duplicates: count.duplicate, rejected: count.rejected, results: outcomes };
  });
};
