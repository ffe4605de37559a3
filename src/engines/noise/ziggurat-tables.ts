/**
 * Tables of Marsaglia & Tsang's 128-layer ziggurat for the standard normal (J. Stat.
 * Software 5(8), 2000): `kn` are the acceptance bounds for a signed 32-bit draw, `wn` scale
 * it to a sample, `fn` hold the density at each layer's edge.
 */
export const ZIGGURAT_R = 3.442619855899;
export const kn = new Float64Array(128);
export const wn = new Float64Array(128);
export const fn = new Float64Array(128);

{
  const m1 = 2147483648.0;
  const vn = 9.91256303526217e-3;
  let dn = ZIGGURAT_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
}
