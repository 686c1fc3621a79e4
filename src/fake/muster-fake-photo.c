/* muster-fake-photo.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-photo"

#include "config.h"

#include <gio/gio.h>

#include "muster-fake-photo.h"

/* PNG as specified by ISO/IEC 15948 (W3C PNG 2nd edition): signature, IHDR, IDAT (a zlib
 * stream, RFC 1950), IEND; every chunk ends with the CRC-32 of its type and data. The fake
 * must not depend on GTK or gdk-pixbuf, so it writes the few bytes itself and lets GIO's
 * zlib converter do the compression. */

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         len)
{
  /* Bitwise CRC-32 (polynomial 0xEDB88320); photos are a few hundred bytes, no table needed. */
  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (guint k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  return crc;
}

static void
append_be32 (GByteArray *out,
             guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static void
append_chunk (GByteArray   *out,
              const char   *type,
              const guint8 *data,
              gsize         len)
{
  guint32 crc = 0xFFFFFFFFu;

  append_be32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (out, data, len);
  crc = crc32_update (crc, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len);
  append_be32 (out, crc ^ 0xFFFFFFFFu);
}

static GBytes *
zlib_compress (const guint8 *data,
               gsize         len)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize in_pos = 0;
  guint8 buf[4096];

  for (;;)
    {
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;
      GConverterResult result;

      result = g_converter_convert (G_CONVERTER (compressor),
                                    data + in_pos, len - in_pos,
                                    buf, sizeof buf,
                                    G_CONVERTER_INPUT_AT_END,
                                    &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        g_error ("zlib compression of a photo failed: %s", error->message);
      in_pos += read;
      g_byte_array_append (out, buf, written);
      if (result == G_CONVERTER_FINISHED)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
hsv_to_rgb (double  h,
            double  s,
            double  v,
            guint8 *rgb)
{
  double c = v * s;
  double hp = h * 6.0;
  double x = c * (1.0 - ABS (hp - 2.0 * (int) (hp / 2.0) - 1.0));
  double r = 0, g = 0, b = 0, m = v - c;

  switch ((int) hp % 6)
    {
    case 0: r = c; g = x; break;
    case 1: r = x; g = c; break;
    case 2: g = c; b = x; break;
    case 3: g = x; b = c; break;
    case 4: r = x; b = c; break;
    default: r = c; b = x; break;
    }
  rgb[0] = (guint8) ((r + m) * 255.0 + 0.5);
  rgb[1] = (guint8) ((g + m) * 255.0 + 0.5);
  rgb[2] = (guint8) ((b + m) * 255.0 + 0.5);
}

GBytes *
_muster_fake_photo_new_png (guint32 pattern,
                            guint   size)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 background[3] = { 0xf0, 0xf0, 0xf0 };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GBytes) idat = NULL;
  g_autofree guint8 *raw = NULL;
  guint8 ihdr[13];
  guint8 colour[3];
  gsize stride;
  guint32 bits;

  size = CLAMP (size, 8, 648);
  stride = 1 + (gsize) size * 3;
  raw = g_malloc (stride * size);

  /* Hue from the high bits, a 5 × 5 left-half pattern (15 cells, mirrored) from the low bits,
   * so neighbouring patterns still look different. */
  hsv_to_rgb ((pattern >> 20) / 4096.0, 0.55, 0.80, colour);
  bits = pattern ^ (pattern >> 15);
  if ((bits & 0x7fff) == 0)
    bits |= 0x4a52;  /* never an empty face */

  for (guint y = 0; y < size; y++)
    {
      guint8 *row = raw + y * stride;
      guint cy = y * 5 / size;

      row[0] = 0;  /* filter type None */
      for (guint x = 0; x < size; x++)
        {
          guint cx = x * 5 / size;
          guint col = cx < 3 ? cx : 4 - cx;
          gboolean on = (bits >> (cy * 3 + col)) & 1;
          const guint8 *px = on ? colour : background;

          memcpy (row + 1 + x * 3, px, 3);
        }
    }
  idat = zlib_compress (raw, stride * size);

  g_byte_array_append (png, signature, sizeof signature);
  ihdr[0] = size >> 24; ihdr[1] = size >> 16; ihdr[2] = size >> 8; ihdr[3] = size;
  memcpy (ihdr + 4, ihdr, 4);
  ihdr[8] = 8;   /* bit depth */
  ihdr[9] = 2;   /* colour type: truecolour */
  ihdr[10] = 0;  /* deflate */
  ihdr[11] = 0;  /* adaptive filtering */
  ihdr[12] = 0;  /* no interlace */
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", g_bytes_get_data (idat, NULL), g_bytes_get_size (idat));
  append_chunk (png, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}
