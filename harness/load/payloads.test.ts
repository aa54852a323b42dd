import { describe, expect, it } from 'vitest';
import { chatBody, countEvents, isChatCompletion, isCompleteStream, isModelList } from './payloads.ts';

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
