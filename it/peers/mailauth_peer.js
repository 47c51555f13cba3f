'use strict';
// mailauth (the npm package, run by the Node.js 22 that it/node installs) as a peer of the end-to-end suite.
//
//   node mailauth_peer.js sign IN OUT JSON
//       Writes OUT = IN with mailauth's DKIM-Signature field(s) prepended. JSON is an array of signature
//       specs: {domain, selector, key (PEM path), algorithm?, canon?, length? (true: l= is the whole body)}.
//       Several specs give several signatures from one call.
//   node mailauth_peer.js verify DNS_IP[:PORT] FILE...
//       One JSON line per DKIM-Signature of each FILE: file, b, d, s, a, result, reason.
//
// Keys come from the suite's DNS server: mailauth's resolver hook is given a node:dns Resolver pointed
// at it. Verification uses mailauth's default (lenient) mode, as most users run it.
const fs = require('node:fs');
const path = require('node:path');
const dns = require('node:dns');
const { createRequire } = require('node:module');

// mailauth lives in it/node/node_modules, beside this directory.
const requireFromNode = createRequire(path.join(__dirname, '..', 'node', 'package.json'));
const { dkimSign } = requireFromNode('mailauth/lib/dkim/sign');
const { dkimVerify } = requireFromNode('mailauth/lib/dkim/verify');

// The canonicalized body length (what l= counts), computed the way RFC 6376 section 3.4 defines it.
function canonicalBodyLength(message, bodyCanon) {
    const split = message.indexOf('\r\n\r\n');
    let body = split < 0 ? '' : message.subarray(split + 4).toString('latin1');
    if (bodyCanon === 'relaxed') {
        body = body.split('\r\n').map(line => line.replace(/[ \t]+/g, ' ').replace(/ $/, '')).join('\r\n');
    }
    body = body.replace(/(\r\n)*$/, '');
    if (body.length > 0) {
        body += '\r\n';
    } else if (bodyCanon === 'simple') {
        body = '\r\n';
    }
    return body.length;
}

async function sign(input, output, specsJson) {
    const message = fs.readFileSync(input);
    const specs = JSON.parse(specsJson);
    const signatureData = specs.map(spec => {
        const canon = spec.canon || 'relaxed/relaxed';
        const data = {
            signingDomain: spec.domain,
            selector: spec.selector,
            privateKey: fs.readFileSync(spec.key),
            algorithm: spec.algorithm || 'rsa-sha256',
            canonicalization: canon
        };
        if (spec.length) {
            data.maxBodyLength = canonicalBodyLength(message, canon.split('/')[1]);
        }
        return data;
    });
    const options = { signatureData };
    if (specs.some(spec => spec.expired)) {
        // mailauth takes the times for all signatures of one call
        const day = 24 * 3600 * 1000;
        options.signTime = new Date(Date.now() - 2 * day);
        options.expires = new Date(Date.now() - day);
    }
    const result = await dkimSign(message, options);
    if (result.errors && result.errors.length) {
        throw new Error(`mailauth could not sign ${input}: ${JSON.stringify(result.errors)}`);
    }
    // mailauth returns the fields folded with CRLF, each ending in CRLF
    fs.writeFileSync(output, Buffer.concat([Buffer.from(result.signatures), message]));
}

async function verify(dnsServer, files) {
    const resolver = new dns.promises.Resolver({ timeout: 5000, tries: 1 });
    const [host, port] = dnsServer.split(':');
    resolver.setServers([port ? `${host}:${port}` : host]);
    const lookup = (name, rrtype) => resolver.resolve(name, rrtype);
    for (const file of files) {
        const message = fs.readFileSync(file);
        const verdict = await dkimVerify(message, { resolver: lookup });
        for (const r of verdict.results) {
            if (!r.signature && !r.signingDomain) {
                continue; // "no signature" placeholder
            }
            const status = r.status || {};
            console.log(JSON.stringify({
                file,
                b: (r.signature || '').replace(/\s+/g, ''),
                d: r.signingDomain || '',
                s: r.selector || '',
                a: r.algo || '',
                result: status.result || 'none',
                reason: [status.comment, status.underSized ? `l= leaves ${status.underSized} bytes unsigned` : '']
                    .filter(Boolean).join('; ')
            }));
        }
    }
}

async function main() {
    const [command, ...args] = process.argv.slice(2);
    if (command === 'sign' && args.length === 3) {
        await sign(...args);
    } else if (command === 'verify' && args.length >= 2) {
        await verify(args[0], args.slice(1));
    } else {
        console.error('usage: mailauth_peer.js sign IN OUT JSON | verify DNS FILE...');
        process.exit(2);
    }
}

main().catch(err => {
    console.error(err.stack || String(err));
    process.exit(1);
});
