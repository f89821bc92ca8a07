import { describe, expect, it } from '@jest/globals';
import { throttleSubjectForAddress } from '#src/auth/client-address.js';

describe('throttleSubjectForAddress', () => {
  it('keeps an IPv4 address as it is, including one written as IPv4-mapped IPv6', () => {
    expect(throttleSubjectForAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleSubjectForAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(throttleSubjectForAddress('::FFFF:203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts every address of one IPv6 /64 network as one client', () => {
    const subject = throttleSubjectForAddress('2001:db8:1:2::1');
    expect(subject).toBe('2001:db8:1:2::/64');
    expect(throttleSubjectForAddress('2001:0db8:0001:0002:ffff:1:2:3')).toBe(subject);
    expect(throttleSubjectForAddress('2001:DB8:1:2:aaaa::')).toBe(subject);
    expect(throttleSubjectForAddress('2001:db8:1:3::1')).not.toBe(subject);
  });

  it('expands a compressed or IPv4-tailed IPv6 address before taking its /64', () => {
    expect(throttleSubjectForAddress('::1')).toBe('0:0:0:0::/64');
    expect(throttleSubjectForAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(throttleSubjectForAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });
});
