// Only what the scanner page needs: decode a QR code from a canvas (BarcodeDetector's fallback).
import { QRCodeReader, BinaryBitmap, HybridBinarizer, HTMLCanvasElementLuminanceSource } from "@zxing/library";
window.ConfopsDecoder = {
  decodeCanvas(canvas) {
    const bitmap = new BinaryBitmap(new HybridBinarizer(new HTMLCanvasElementLuminanceSource(canvas)));
    try { return new QRCodeReader().decode(bitmap).getText(); } catch (e) { return null; }
  },
};
