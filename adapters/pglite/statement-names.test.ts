import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatementNames } from './statement-names.ts';

/** A typed frontend message: type byte, length, body. */
function message(type: string, ...parts: (string | Buffer)[]): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(`${p}\0`) : p)));
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

/** The messages back as [type, body text], the body's NULs shown as `|`. */
function read(bytes: Buffer): [string, string][] {
  const out: [string, string][] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = 1 + bytes.readInt32BE(at + 1);
    out.push([String.fromCharCode(bytes[at] as number), bytes.toString('latin1', at + 5, at + length).replaceAll('\0', '|')]);
    at += length;
  }
  return out;
}

const noParams = Buffer.from([0, 0]);

test('statement names in Parse, Bind, Describe and Close get the connection\'s prefix; portals and other messages do not', () => {
  const names = new ConnectionStatementNames('c7:');
  const bytes = Buffer.concat([
    message('P', 'rc_get', 'SELECT $1', noParams),
    message('B', '', 'rc_get', Buffer.from([0, 0, 0, 0, 0, 0])),
    message('D', Buffer.from('S'), 'rc_get'),
    message('D', Buffer.from('P'), ''),
    message('E', '', Buffer.from([0, 0, 0, 0])),
    message('C', Buffer.from('S'), 'rc_get'),
    message('S'),
  ]);
  assert.deepEqual(read(names.rename(bytes)), [
    ['P', 'c7:rc_get|SELECT $1|\0\0'.replaceAll('\0', '|')],
    ['B', '|c7:rc_get|' + '||||||'],
    ['D', 'Sc7:rc_get|'],
    ['D', 'P|'],
    ['E', '|||||'],
    ['C', 'Sc7:rc_get|'],
    ['S', ''],
  ]);
});

test('the unnamed statement is left alone, and bytes with nothing to rename come back as they were', () => {
  const names = new ConnectionStatementNames('c1:');
  const bytes = Buffer.concat([message('P', '', 'SELECT 1', noParams), message('B', '', '', Buffer.from([0, 0, 0, 0, 0, 0])), message('S')]);
  assert.equal(names.rename(bytes), bytes);
  assert.equal(names.closeAll(), null);
  const query = message('Q', 'SELECT 1');
  assert.equal(names.rename(query), query);
});

test('closeAll closes every statement the connection prepared, once each, then syncs', () => {
  const names = new ConnectionStatementNames('c2:');
  names.rename(Buffer.concat([message('P', 'a', 'SELECT 1', noParams), message('P', 'b', 'SELECT 2', noParams), message('P', 'a', 'SELECT 1', noParams)]));
  assert.deepEqual(read(names.closeAll() ?? Buffer.alloc(0)), [
    ['C', 'Sc2:a|'],
    ['C', 'Sc2:b|'],
    ['S', ''],
  ]);
});
