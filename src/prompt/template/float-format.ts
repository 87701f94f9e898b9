// Go's strconv.FormatFloat for the 'e', 'f' and 'g' formats. Fixed precisions round the exact
// binary value half-to-even (Go's behaviour; JavaScript's toFixed rounds ties away from zero).

/** value = 0.d1d2d3… × 10^dp; digits carry no trailing zeros; zero is ("", 0). */
interface Decimal {
  digits: string;
  dp: number;
}

function shortestDecimal(v: number): Decimal {
  if (v === 0) return { digits: "", dp: 0 };
  const [mantissa = "0", exp = "0"] = v.toExponential().split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "");
  return { digits, dp: Number(exp) + 1 };
}

function exactDecimal(v: number): Decimal {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mant |= 1n << 52n;
  if (mant === 0n) return { digits: "", dp: 0 };
  const e = (biased === 0 ? 1 : biased) - 1075;
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString();
    return { digits: s.replace(/0+$/, ""), dp: s.length };
  }
  const s = (mant * 5n ** BigInt(-e)).toString();
  return { digits: s.replace(/0+$/, ""), dp: s.length + e };
}

function round(d: Decimal, nd: number): Decimal {
  const { digits } = d;
  if (nd < 0 || nd >= digits.length) return d;
  const c = digits.charCodeAt(nd) - 48;
  const up =
    c === 5 && nd + 1 === digits.length ? nd > 0 && (digits.charCodeAt(nd - 1) - 48) % 2 === 1 : c >= 5;
  if (!up) return { digits: digits.slice(0, nd).replace(/0+$/, ""), dp: d.dp };
  for (let i = nd - 1; i >= 0; i--) {
    if (digits[i] !== "9") {
      return { digits: digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1), dp: d.dp };
    }
  }
  return { digits: "1", dp: d.dp + 1 };
}

function fmtE(neg: boolean, d: Decimal, prec: number, e: string): string {
  let out = neg ? "-" : "";
  out += d.digits[0] ?? "0";
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.digits.length, prec + 1);
    let i = 1;
    if (i < m) {
      out += d.digits.slice(1, m);
      i = m;
    }
    out += "0".repeat(Math.max(0, prec + 1 - i));
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? "-" : "";
  if (d.dp > 0) {
    const m = Math.min(d.digits.length, d.dp);
    out += d.digits.slice(0, m) + "0".repeat(d.dp - m);
  } else {
    out += "0";
  }
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : "0";
    }
  }
  return out;
}

export type FloatFormat = "e" | "E" | "f" | "g" | "G";

/** strconv.FormatFloat(v, fmt, prec, 64); prec < 0 means the shortest exact representation. */
export function formatFloat(v: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(Math.abs(v));
    if (fmt === "e" || fmt === "E") prec = d.digits.length - 1;
    else if (fmt === "f") prec = Math.max(d.digits.length - d.dp, 0);
    else prec = d.digits.length;
  } else {
    d = exactDecimal(Math.abs(v));
    if (fmt === "e" || fmt === "E") d = round(d, prec + 1);
    else if (fmt === "f") d = round(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = round(d, prec);
    }
  }
  if (fmt === "e" || fmt === "E") return fmtE(neg, d, prec, fmt);
  if (fmt === "f") return fmtF(neg, d, prec);
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  // With the shortest representation Go decides on %e at exponent 6, as for precision 6.
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(neg, d, prec - 1, fmt === "g" ? "e" : "E");
  }
  if (prec > d.dp) prec = nd;
  return fmtF(neg, d, Math.max(prec - d.dp, 0));
}

function floatBits(v: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg: bits >> 63n === 1n, mant, exp: exp - 1023 };
}

/** strconv's 'x'/'X' format: -0x1.yyyyp±dd, shortest when prec < 0. */
export function formatHexFloat(v: number, fmt: "x" | "X", prec: number): string {
  if (!Number.isFinite(v)) return formatFloat(v, "g", -1);
  let { neg, mant, exp } = floatBits(v);
  if (mant === 0n) exp = 0;
  const top = 1n << 60n;
  mant <<= 8n;
  while (mant !== 0n && (mant & top) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (top - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === "X" ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = `${neg ? "-" : ""}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digit = () => {
    const d = hex[Number((mant >> 60n) & 15n)];
    mant = (mant << 4n) & ((1n << 64n) - 1n);
    return d;
  };
  if (prec < 0 && mant !== 0n) {
    out += ".";
    while (mant !== 0n) out += digit();
  } else if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) out += digit();
  }
  const e = Math.abs(exp);
  return `${out}${fmt === "X" ? "P" : "p"}${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
}

/** strconv's 'b' format: decimal mantissa and binary exponent, e.g. 4503599627370496p-52. */
export function formatBinaryFloat(v: number): string {
  if (!Number.isFinite(v)) return formatFloat(v, "g", -1);
  const { neg, mant, exp } = floatBits(v);
  const e = exp - 52;
  return `${neg ? "-" : ""}${mant}p${e >= 0 ? "+" : ""}${e}`;
}
