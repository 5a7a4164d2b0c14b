import pino from 'pino';

/** The logging the simulator needs; a pino logger (or child) fits. */
export type SimulatorLogger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Tests get a quiet simulator unless they pass a logger. */
export const silentLogger: SimulatorLogger = pino({ level: 'silent' });
