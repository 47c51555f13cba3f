#!/usr/bin/perl
# Mail::DKIM (Debian's libmail-dkim-perl) as a peer of the end-to-end suite.
#
#   maildkim_peer.pl sign IN OUT DOMAIN SELECTOR KEYFILE ALGORITHM CANON [oversign]
#       Writes OUT = IN with one DKIM-Signature prepended. ALGORITHM is rsa-sha256 or rsa-sha1 (Debian's
#       Mail::DKIM has no Ed25519); "oversign" signs From once more than it occurs (RFC 6376 section 8.15).
#   maildkim_peer.pl verify DNS_IP[:PORT] FILE...
#       One JSON line per DKIM-Signature of each FILE: file, b, d, s, a, result, reason. Mail::DKIM's
#       results are pass, fail, invalid (key or tag problems), temperror, none; "unsupported algorithm"
#       (Ed25519) is reported as result "unsupported" so the suite can leave it out of the counts.
#
# Keys come from the suite's DNS server through Mail::DKIM::DNS::resolver, never the system resolver.
use strict;
use warnings;
use Mail::DKIM::Signer;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS::Resolver;
use JSON::PP;

my $command = shift @ARGV // '';
if ($command eq 'sign') {
    my ($in, $out, $domain, $selector, $keyfile, $algorithm, $canon, $oversign) = @ARGV;
    my $signer = Mail::DKIM::Signer->new(
        Algorithm => $algorithm,
        Method    => $canon,
        Domain    => $domain,
        Selector  => $selector,
        KeyFile   => $keyfile,
    );
    # '+' = sign every occurrence and one more, so a second From cannot be added unnoticed.
    $signer->extended_headers({ From => '+' }) if ($oversign // '') eq 'oversign';
    my $message = read_file($in);
    $signer->PRINT($message);
    $signer->CLOSE;
    my $signature = $signer->signature->as_string;    # "DKIM-Signature: ..." folded with CRLF
    open(my $fh, '>:raw', $out) or die "$out: $!";
    print $fh $signature, "\r\n", $message;
    close $fh;
    exit 0;
}
elsif ($command eq 'verify') {
    my $dns = shift @ARGV;
    my ($host, $port) = split /:/, $dns;
    Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(
        nameservers => [$host], port => ($port // 53), recurse => 0, tcp_timeout => 5, udp_timeout => 5));
    my $json = JSON::PP->new->canonical;
    for my $file (@ARGV) {
        my $dkim = Mail::DKIM::Verifier->new;
        $dkim->PRINT(read_file($file));
        $dkim->CLOSE;
        for my $sig ($dkim->signatures) {
            my $result = $sig->result // 'none';
            my $detail = $sig->result_detail // $result;
            $result = 'unsupported' if $detail =~ /unsupported algorithm/;
            (my $b = $sig->data // '') =~ s/\s+//g;
            print $json->encode({
                file => $file, b => $b, d => ($sig->domain // ''), s => ($sig->selector // ''),
                a => ($sig->algorithm // ''), result => $result, reason => $detail }), "\n";
        }
    }
    exit 0;
}
die "usage: $0 sign IN OUT DOMAIN SELECTOR KEYFILE ALGORITHM CANON [oversign] | verify DNS FILE...\n";

sub read_file {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!";
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}
