// Screenshots from Xvfb's framebuffer file (`Xvfb -fbdir DIR` keeps the
// screen as an XWD image in DIR/Xvfb_screen0). WebKitWebDriver's own
// screenshot command hangs on some idle pages under Xvfb, so the e2e test
// reads what the X server shows instead and writes it as PNG.

import { readFileSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const crcTable = Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGB rows as a PNG file. */
export function encodePng(width, height, rgb) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Reads a 24/32-bit TrueColor XWD file and returns { width, height, rgb }. */
export function readXwd(path) {
  const file = readFileSync(path);
  const field = (index) => file.readUInt32BE(index * 4);
  const headerSize = field(0);
  const width = field(4);
  const height = field(5);
  const byteOrder = field(7); // 0: least significant byte first
  const bitsPerPixel = field(11);
  const bytesPerLine = field(12);
  const masks = [field(14), field(15), field(16)];
  const colourCount = field(19);
  if (bitsPerPixel !== 32 && bitsPerPixel !== 24) throw new Error(`${path}: ${bitsPerPixel} bits per pixel is not supported`);
  const shifts = masks.map((mask) => 31 - Math.clz32(mask & -mask));
  const pixels = headerSize + colourCount * 12;
  const bytes = bitsPerPixel / 8;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = pixels + y * bytesPerLine + x * bytes;
      let value = 0;
      for (let byte = 0; byte < bytes; byte++) {
        const shift = byteOrder === 0 ? byte * 8 : (bytes - 1 - byte) * 8;
        value |= file[offset + byte] << shift;
      }
      value >>>= 0;
      const target = (y * width + x) * 3;
      for (let channel = 0; channel < 3; channel++) rgb[target + channel] = ((value & masks[channel]) >>> shifts[channel]) & 0xff;
    }
  }
  return { width, height, rgb };
}

/** Saves the current Xvfb screen (from `fbdir`) as a PNG at `path`, cropped to `width` x `height`. */
export function saveFramebuffer(fbdir, path, width, height) {
  const screen = readXwd(`${fbdir}/Xvfb_screen0`);
  const cropWidth = Math.min(width ?? screen.width, screen.width);
  const cropHeight = Math.min(height ?? screen.height, screen.height);
  const rgb = Buffer.alloc(cropWidth * cropHeight * 3);
  for (let y = 0; y < cropHeight; y++) screen.rgb.copy(rgb, y * cropWidth * 3, y * screen.width * 3, y * screen.width * 3 + cropWidth * 3);
  writeFileSync(path, encodePng(cropWidth, cropHeight, rgb));
}
