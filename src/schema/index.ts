import { builder } from './builder.ts';
import './common.ts';
import './account.ts';
import './agent.ts';
import './team.ts';
import './resource.ts';
import './appointment-type.ts';
import './workday.ts';
import './holiday.ts';
import './customer.ts';
import './booking.ts';
import './scheduling-request.ts';
import './report.ts';
import './api-client.ts';
import './calendar-feed.ts';
import './realtime.ts';
import './webhook.ts';

export const schema = builder.toSchema({ sortSchema: false });
