import { describe, expect, it } from 'vitest';
import { maskText } from '../../../src/scamcheck/mask.js';

/**
 * Every form in which a resident's phone, card or ID number, or a scammer's
 * link, reaches a tip (issue #23): each must be masked, while amounts, dates
 * and the official numbers stay readable for the analysts.
 */
describe('masking a tip: every form of a number or a link', () => {
  it.each([
    // full-width digits, as a Chinese keyboard types them
    ['full-width phone', '打给１３８１２３４５６７８', '打给[手机号]'],
    ['full-width card', '卡号６２２２０２１２３４５６７８９０１２３', '卡号[银行卡号]'],
    // phone numbers split or dotted
    ['phone 3-4-4 with spaces', '电话 138 1234 5678 找我', '电话 [手机号] 找我'],
    ['phone 4-3-4 with dashes', '电话1381-234-5678', '电话[手机号]'],
    ['phone 4-3-4 with spaces', '打 1381 234 5678', '打 [手机号]'],
    ['phone with dots', '联系138.1234.5678', '联系[手机号]'],
    ['phone with +86 and spaces', '+86 138 1234 5678', '[手机号]'],
    // numbers written in Chinese characters
    ['phone in Chinese numerals', '他的电话是一三八一二三四五六七八', '他的电话是[手机号]'],
    ['phone read with 幺', '回拨幺三九零零八八六六七七', '回拨[手机号]'],
    ['QQ number in Chinese numerals', '加QQ二八九三三零一五七二', '加QQ[号码]'],
    // IP addresses
    ['bare IP address', '登录 47.96.120.33 填资料', '登录 [链接] 填资料'],
    ['IP address with port and path', '打开http://103.21.8.9:8080/pay?id=3', '打开[链接]'],
    ['IP address with port, no scheme', '地址是 10.0.12.7:9000/login', '地址是 [链接]'],
    // links on other top-level domains and shorteners
    ['.org link', '去 refund-help.org 申请', '去 [链接] 申请'],
    ['.io link with path', '点 pay-now.io/x9 领取', '点 [链接] 领取'],
    ['.sh link', '下载 kefu.sh', '下载 [链接]'],
    ['t.cn short link', '链接 t.cn/A6xYz9Qp 点一下', '链接 [链接] 点一下'],
    ['bare domain on an unusual TLD', '进 secure-login.help 验证', '进 [链接] 验证'],
    ['bare domain with subdomain', '网址：m.jd-kefu.online/refund', '网址：[链接]'],
    ['upper-case domain', '打开 WWW.ABC-PAY.COM', '打开 [链接]'],
    // ID numbers with spaces or dashes
    ['ID number 6-8-4 with spaces', '身份证 350102 19900101 1234', '身份证 [身份证号]'],
    ['ID number with dashes and X', '身份证号350102-19851231-123X', '身份证号[身份证号]'],
    ['ID number in groups of four', '证件 3501 0219 9001 0112 34', '证件 [身份证号]'],
    // what was masked before stays masked
    ['plain phone', '打给 13812345678 或 +86 138-1234-5678', '打给 [手机号] 或 [手机号]'],
    ['card numbers', '卡号 6222 0212 3456 7890 123，另一张6217001234567890', '卡号 [银行卡号]，另一张[银行卡号]'],
    ['plain ID number', '身份证350102199001011234', '身份证[身份证号]'],
    ['links', '点 http://x-refund.top/a?b=1 或 www.abc.com 或 pay-now.vip', '点 [链接] 或 [链接] 或 [链接]'],
    ['landlines and 400 numbers', '座机0591-87654321，400-123-4567', '座机[电话]，[电话]'],
    ['QQ and WeChat accounts', '加QQ 384756201 或微信 wx_abc123', '加QQ[账号] 或微信[账号]'],
    ['numbers from abroad', '境外号码 0085212345678', '境外号码 [境外号码]'],
  ])('%s', (_form, input, masked) => {
    expect(maskText(input)).toBe(masked);
  });
});

describe('masking a tip: what stays readable', () => {
  it.each([
    ['amounts', '转了20000元，又付了1,280.00元和3.5万'],
    ['dates and times', '2025年12月3日 14:30，11月24日，2026-01-05'],
    ['the official numbers', '打96110或110，12306订票，95588是工行，12345热线，10086'],
    ['amounts written in Chinese', '被骗了三万五千元，还差两千'],
    ['versions and decimals', '收益率3.5%，年化2.8%，版本v2.1'],
    ['flight and train numbers', '航班CZ3098，车次G1652'],
  ])('should keep %s', (_what, text) => {
    expect(maskText(text)).toBe(text);
  });
});
