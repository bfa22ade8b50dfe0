package cdslb

import (
	"strconv"
	"strings"
)

// This file reads text as an echo of a request may spell it, so that
// redaction finds a secret whatever escapes spell it.

// maxPercentDepth is how many times over a percent-encoding is decoded
// (%2B, %252B, %25252B).
const maxPercentDepth = 3

// maxSpelling is the longest spelling of one byte that redact decodes
// (&#x000002B;).
const maxSpelling = 12

// decodeEchoes reads s as an echo may spell text: each character raw,
// percent-encoded once or more (%2B, %252B), JSON-escaped (\u002b, \/,
// \n), as an HTML character reference (&#43;, &#x2B;, &plus;), or, for a
// +, as the space a query's decoding makes of it. It returns the decoded
// text and, for each of its bytes, where its spelling starts in s, with
// at[len(dec)] = len(s); at is nil when s holds no escape, and dec is s.
func decodeEchoes(s string) (dec string, at []int) {
	if !strings.ContainsAny(s, "%\\& ") {
		return s, nil
	}
	b, at := make([]byte, 0, len(s)), make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		c, n := decodeOne(s[i:])
		b, at = append(b, c), append(at, i)
		i += n
	}
	return string(b), append(at, len(s))
}

// notText stands for a character decoded from an escape that is no byte
// of ASCII, and so no byte of any secret.
const notText = 0xff

// decodeOne decodes the first character of s, and says how many bytes
// spell it.
func decodeOne(s string) (byte, int) {
	switch s[0] {
	case '%':
		c, i := byte('%'), 1
		for depth := 0; c == '%' && depth < maxPercentDepth && i+1 < len(s) && isHex(s[i]) && isHex(s[i+1]); depth++ {
			c, i = unhex(s[i])<<4|unhex(s[i+1]), i+2
		}
		return c, i
	case '\\':
		if len(s) >= 6 && s[1] == 'u' && isHex(s[2]) && isHex(s[3]) && isHex(s[4]) && isHex(s[5]) {
			if s[2] != '0' || s[3] != '0' || s[4] > '7' {
				return notText, 6
			}
			return unhex(s[4])<<4 | unhex(s[5]), 6
		}
		if len(s) >= 2 {
			if c, ok := jsonShortEscapes[s[1]]; ok {
				return c, 2
			}
		}
	case '&':
		if c, n, ok := htmlReference(s); ok {
			return c, n
		}
	case ' ':
		return '+', 1
	}
	return s[0], 1
}

// htmlReference decodes the HTML character reference s starts with.
func htmlReference(s string) (c byte, n int, ok bool) {
	end := strings.IndexByte(s[:min(len(s), 12)], ';')
	if end < 0 {
		return 0, 0, false
	}
	ref := s[1:end]
	if c, ok := htmlEntities[ref]; ok {
		return c, end + 1, true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, 0, false
	}
	base, digits := uint64(10), ref[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	v, err := strconv.ParseUint(digits, int(base), 32)
	switch {
	case err != nil || digits == "" || digits[0] == '+':
		return 0, 0, false
	case v > 0x7f:
		return notText, end + 1, true
	}
	return byte(v), end + 1, true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

var jsonShortEscapes = map[byte]byte{'/': '/', 'n': '\n', 'r': '\r', 't': '\t', '"': '"', '\\': '\\', 'b': '\b', 'f': '\f'}

var htmlEntities = map[string]byte{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "equals": '=', "sol": '/', "plus": '+',
	"NewLine": '\n', "Tab": '\t', "percnt": '%', "bsol": '\\', "colon": ':', "num": '#', "semi": ';'}
