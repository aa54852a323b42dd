import { describe, expect, it } from 'vitest';
import { chatBody, countEvents, isChatCompletion, isCompleteMessage, isCompleteMessageStream, isCompleteResponse, isCompleteResponseStream, isCompleteStream, isModelList, messagesBody, responsesBody } from './payloads.ts';

const completion = JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] });
const event = (n: number) => `data: ${JSON.stringify({ choices: [{ delta: { content: `t${n}` } }] })}\n\n`;

describe('body verification', () => {
  it('accepts a complete chat completion and rejects every truncation of it', () => {
    expect(isChatCompletion(completion)).toBe(true);
    for (let cut = 0; cut < completion.length; cut++) expect(isChatCompletion(completion.slice(0, cut))).toBe(false);
    expect(isChatCompletion('{"choices":[]}')).toBe(false);
    expect(isChatCompletion('[]')).toBe(false);
  });

  it('accepts a stream ending in [DONE] and rejects cut or re-framed streams', () => {
    const stream = event(0) + event(1) + 'data: [DONE]\n\n';
    expect(isCompleteStream(stream)).toBe(true);
    expect(isCompleteStream(event(0) + event(1))).toBe(false); // no [DONE]
    const half = event(1).slice(0, 20) + '\n\n';
    expect(isCompleteStream(event(0) + half + 'data: [DONE]\n\n')).toBe(false); // half a JSON event
    expect(isCompleteStream('data: [DONE]\n\n' + event(0))).toBe(false); // events after [DONE]
    expect(isCompleteStream('')).toBe(false);
  });

  it('checks /v1/models and counts SSE events', () => {
    expect(isModelList('{"object":"list","data":[]}')).toBe(true);
    expect(isModelList('{"object":"list"}')).toBe(false);
    expect(countEvents(event(0) + event(1) + 'data: par')).toBe(2);
  });

  it('builds OpenAI-shaped requests', () => {
    expect(JSON.parse(chatBody('gpt-5', 7, false))).toMatchObject({ model: 'gpt-5', messages: [{ role: 'user' }] });
    expect(JSON.parse(chatBody('gpt-5', 7, { includeUsage: true }))).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(JSON.parse(chatBody('gpt-5', 7, { includeUsage: false })).stream_options).toBeUndefined();
  });
});

describe('Responses and Messages body checks', () => {
  const ev = (type: string, rest: Record<string, unknown> = {}, name: string | null = type) => `${name === null ? '' : `event: ${name}\n`}data: ${JSON.stringify({ type, ...rest })}\n\n`;
  const responseStream = ev('response.created', { response: { status: 'in_progress' } }) + ev('response.output_text.delta', { delta: 'hi' }) + ev('response.completed', { response: { status: 'completed' } });
  const messageStream = ev('message_start', { message: {} }) + ': keep-alive\n\n' + ev('content_block_delta', { delta: { text: 'hi' } }) + ev('message_delta', { delta: { stop_reason: 'end_turn' } }) + ev('message_stop');

  it('Responses: a complete stream passes; no completed event, events after it, a mislabelled or half event fail', () => {
    expect(isCompleteResponseStream(responseStream)).toBe(true);
    expect(isCompleteResponseStream(responseStream.replace(/\n/g, '\r\n'))).toBe(true);
    expect(isCompleteResponseStream(ev('response.created') + ev('response.output_text.delta', { delta: 'x' }))).toBe(false);
    expect(isCompleteResponseStream(responseStream + ev('response.output_text.delta', { delta: 'x' }))).toBe(false);
    expect(isCompleteResponseStream(responseStream.replace('event: response.completed', 'event: response.failed'))).toBe(false);
    expect(isCompleteResponseStream(responseStream.slice(0, -5))).toBe(false);
    expect(isCompleteResponseStream(responseStream.replace('"completed"}}', '"failed"}}'))).toBe(false);
  });

  it('Messages: a complete stream passes (comments allowed); cut before message_stop or without a stop reason fails', () => {
    expect(isCompleteMessageStream(messageStream)).toBe(true);
    expect(isCompleteMessageStream(messageStream.slice(0, messageStream.indexOf('event: message_stop')))).toBe(false);
    expect(isCompleteMessageStream(messageStream.replace('"end_turn"', 'null'))).toBe(false);
    expect(isCompleteMessageStream('data: [DONE]\n\n')).toBe(false);
  });

  it('JSON objects: status, type and content are checked', () => {
    const response = { object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: 'hi' }] }] };
    expect(isCompleteResponse(JSON.stringify(response))).toBe(true);
    expect(isCompleteResponse(JSON.stringify({ ...response, status: 'incomplete' }))).toBe(false);
    expect(isCompleteResponse(JSON.stringify({ ...response, output: [] }))).toBe(false);
    const message = { type: 'message', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn' };
    expect(isCompleteMessage(JSON.stringify(message))).toBe(true);
    expect(isCompleteMessage(JSON.stringify({ ...message, stop_reason: null }))).toBe(false);
    expect(isCompleteMessage(JSON.stringify({ ...message, content: [] }))).toBe(false);
    expect(JSON.parse(responsesBody('m', 1, true))).toMatchObject({ model: 'm', stream: true, input: expect.any(String) });
    expect(JSON.parse(messagesBody('m', 1, false))).toMatchObject({ model: 'm', max_tokens: 64, messages: [{ role: 'user' }] });
  });
});
