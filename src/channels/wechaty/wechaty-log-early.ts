/**
 * Imported first by every module of Zhimi that loads Wechaty: Wechaty's log
 * is routed through Zhimi's (see wechaty-log.ts) before Wechaty's own modules
 * load, some of which log as they do (at WECHATY_LOG=verbose, straight to
 * stdout, where a report's CSV or JSON goes).
 */
import * as PUPPET from 'wechaty-puppet';
import { routeWechatyLog } from './wechaty-log.js';

routeWechatyLog(PUPPET.log);
