import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, quoteInput } from '../shared/index.ts';
import { NO_CONTROL_PATTERN } from './schemas.ts';

/** The media type of every error the API answers with (RFC 9457). */
export const PROBLEM_TYPE = 'application/problem+json';

/**
 * An RFC 9457 problem document, with the error's stable code (src/shared/errors.ts) as an extension member.
 * `detail` quotes at most a short prefix of anything the client sent.
 */
export interface Problem {
  readonly type: 'about:blank';
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
}

/** A problem and the error behind it, for the request's log line. */
export interface MappedError {
  readonly problem: Problem;
  /** Expected errors (the client's input, a database that is away) log without a stack, at warn at most. */
  readonly expected: boolean;
}

export function problem(status: number, code: string, detail: string): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, code, detail };
}

/** Fastify's own errors, answered with our words (its messages can quote a whole URL, header or body). */
const FRAMEWORK: Readonly<Record<string, (e: FastifyError, req: FastifyRequest) => Problem>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => problem(400, ErrorCode.VALIDATION_FAILED, 'the request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => problem(400, ErrorCode.VALIDATION_FAILED, 'the request body is empty, but its content-type says JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => problem(400, ErrorCode.VALIDATION_FAILED, 'the content-length header does not match the body sent'),
  FST_ERR_CTP_BODY_TOO_LARGE: (_e, req) =>
    problem(413, ErrorCode.VALIDATION_FAILED, `the request body is larger than the limit of ${req.routeOptions.bodyLimit ?? '?'} bytes`),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_e, req) =>
    problem(415, ErrorCode.VALIDATION_FAILED, `content-type ${quoteInput(String(req.headers['content-type'] ?? ''))} is not supported: send application/json`),
  FST_ERR_BAD_URL: () => problem(400, ErrorCode.VALIDATION_FAILED, 'the URL is not valid (a path segment is not correctly percent-encoded)'),
  FST_ERR_MAX_PARAM_LENGTH: (_e, req) =>
    problem(414, ErrorCode.VALIDATION_FAILED, `a path segment of ${quoteInput(req.url.split('?')[0] ?? '')} is longer than ${MAX_PARAM_LENGTH} characters`),
};

/** Longest path parameter (an id) the router accepts; longer ones are answered 414 before routing. */
export const MAX_PARAM_LENGTH = 200;

/** Maps anything a route, a hook or Fastify itself threw to the problem answered. */
export function mapError(error: FastifyError | Error, req: FastifyRequest): MappedError {
  if (error instanceof AppError) return { problem: problem(error.httpStatus, error.code, error.message), expected: error.expected };
  const e = error as FastifyError;
  if (e.validation) return { problem: problem(400, ErrorCode.VALIDATION_FAILED, validationDetail(e, req)), expected: true };
  const known = e.code === undefined ? undefined : FRAMEWORK[e.code];
  if (known) return { problem: known(e, req), expected: true };
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status < 500) return { problem: problem(status, ErrorCode.VALIDATION_FAILED, `the request was refused: ${quoteInput(e.message, 80)}`), expected: true };
  return { problem: problem(status, ErrorCode.INTERNAL, `internal error; the server log has the cause under request id ${req.id}`), expected: false };
}

/** Ajv's first finding in words, naming an unknown parameter or field and what the route takes instead. */
function validationDetail(e: FastifyError, req: FastifyRequest): string {
  const first = e.validation![0]!;
  const where = e.validationContext ?? 'request';
  const additional = (first.params as { additionalProperty?: unknown }).additionalProperty;
  if (first.keyword === 'additionalProperties' && typeof additional === 'string') {
    if (where === 'querystring') {
      const schema = req.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
      const allowed = Object.keys(schema?.properties ?? {});
      return `unknown query parameter ${quoteInput(additional)}: ${allowed.length === 0 ? 'this route takes none' : `this route takes ${allowed.join(', ')}`}`;
    }
    return `unknown field ${quoteInput(additional)} in the ${where}${first.instancePath ? ` at ${first.instancePath}` : ''}`;
  }
  if (first.keyword === 'pattern' && first.params?.['pattern'] === NO_CONTROL_PATTERN)
    return `${where}${first.instancePath} contains a line break or another control character`;
  return `${where}${first.instancePath} ${first.message ?? 'is not valid'}`;
}

/** Sends a problem document (already serialised: response schemas are for successful answers). */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).send(JSON.stringify(p));
}

/**
 * Answers what Node's HTTP parser refused before Fastify saw a request (headers over the size limit, bytes
 * that are not HTTP, a request too slow to arrive) with a problem document, then closes the connection.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem(
          431,
          ErrorCode.VALIDATION_FAILED,
          'the request line and headers are larger than the server accepts (16 KB); a URL that long is not a valid request',
        )
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem(408, ErrorCode.VALIDATION_FAILED, 'the request did not arrive in time')
        : problem(400, ErrorCode.VALIDATION_FAILED, 'the request is not valid HTTP');
  const body = JSON.stringify(p);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
