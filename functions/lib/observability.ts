// The one place that creates the logger and metrics; every handler imports them from here.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'dpm' });
export const metrics = new Metrics({ namespace: 'DPM', serviceName: 'dpm' });
