// GET /designs/{designId}/preview (public: listed and withdrawn designs) and GET /me/designs/{designId}/preview (the
// designer's own, drafts and rejected uploads included): the reduced preview mesh as binary STL, never the design.
// A preview never changes once made, so it is cached by its entity tag: public ones by anyone for a day, a designer's
// own by their browser only. The /me route is the only one with an authorizer, so only it knows the caller.
import { designPreview, previewContentType } from '../../shared/designs/preview.js';
import { httpRoute, userOf } from '../lib/http.js';
import { designDataKeys, designPreviews, designStore } from './wiring.js';

const deps = { designs: designStore(), previews: designPreviews(), dataKeys: designDataKeys() };
const ownRoute = 'GET /me/designs/{designId}/preview';

export const handler = httpRoute({
  run: async ({ route, caller, path, headers }) => {
    const own = route === ownRoute;
    const answer = await designPreview({ designId: path.designId!, callerId: own ? userOf(caller).userId : undefined, ifNoneMatch: headers['if-none-match'] }, deps);
    const cache: Record<string, string> = own ? { etag: answer.etag, 'cache-control': 'private, max-age=3600', vary: 'authorization' } : { etag: answer.etag, 'cache-control': 'public, max-age=86400' };
    if (answer.kind === 'not-modified') return { status: 304, headers: cache };
    return { body: answer.bytes, headers: { ...cache, 'content-type': previewContentType, 'content-disposition': 'inline; filename="preview.stl"' } };
  },
});
