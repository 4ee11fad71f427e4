// GET /me/conversations: the order conversations the caller is part of (as a customer or a printer's operator), newest first.
import { listConversations } from '../../shared/orders/messages.js';
import { httpRoute } from '../lib/http.js';
import { orderParticipant } from './participant.js';
import { conversations } from './wiring.js';

const deps = { conversations: conversations() };

export const handler = httpRoute({ run: async ({ caller }) => ({ body: await listConversations({ caller: await orderParticipant(caller) }, deps) }) });
