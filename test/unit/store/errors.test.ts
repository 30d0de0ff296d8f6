import { describe, expect, it } from 'vitest';
import { explainConnectError } from '../../../src/store/connection.js';
import { redactUri } from '../../../src/store/errors.js';

describe('database errors', () => {
  it('should hide the password of a URI', () => {
    expect(redactUri('mongodb://zhimi:s3cret@db.example:27017/zhimi')).toBe('mongodb://zhimi:***@db.example:27017/zhimi');
    expect(redactUri('mongodb+srv://u:p@c/x')).toBe('mongodb+srv://u:***@c/x');
    expect(redactUri('mongodb://127.0.0.1:27017/zhimi')).toBe('mongodb://127.0.0.1:27017/zhimi');
  });

  it('should tell an authentication failure from an unreachable server', () => {
    const auth = explainConnectError({ name: 'MongoServerError', code: 18, message: 'Authentication failed.' }, 'mongodb://u:***@h/db');
    expect(auth.code).toBe('ZHIMI_E_DB_AUTH');
    expect(auth.message).toBe('authentication failed at mongodb://u:***@h/db: check the user name, password and authSource in MONGODB_URI');
    const down = explainConnectError({ name: 'MongoServerSelectionError', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'mongodb://127.0.0.1:1/x');
    expect(down.code).toBe('ZHIMI_E_DB_UNREACHABLE');
  });
});
