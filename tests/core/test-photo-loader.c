/* test-photo-loader.c: user photos are capped in size, decoded only as JPEG or PNG, and decoded
 * off the main loop
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The photos go through a real cache.db (MusterSnapshotStore) and MusterPhotoLoader offline, as
 * the users table asks for them; the images are made with gdk-pixbuf. Online, the fake tenant
 * serves a photo far larger than the cap, and counts what it actually sent.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "core-test-util.h"
#include "fake-test-util.h"
#include "muster-keyring.h"
#include "muster-photo-loader.h"
#include "muster-session.h"

typedef struct
{
  char                *dir;
  MusterSnapshotStore *store;
  MusterPhotoLoader   *loader;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("muster-photo-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.db", NULL);
  f->store = muster_snapshot_store_open (path, &error);
  g_assert_no_error (error);
  f->loader = muster_photo_loader_new (f->store, "contoso", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->loader);
  g_clear_object (&f->store);
  core_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* An image of @width × @height in @format, a gradient so it is not all one colour. */
static GBytes *
make_image (int         width,
            int         height,
            const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  char *buffer = NULL;
  gsize length = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + (gsize) y * stride + (gsize) x * 3;

        p[0] = (guint8) (x * 255 / width);
        p[1] = (guint8) (y * 255 / height);
        p[2] = 0x80;
      }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, format, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, length);
}

static void
put_photo (Fixture    *f,
           const char *user_id,
           GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (muster_snapshot_store_put_photo (f->store, "contoso", user_id, bytes, &error));
  g_assert_no_error (error);
}

static GdkPixbuf *
load_image (Fixture    *f,
            const char *user_id,
            GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_photo_loader_load_image_async (f->loader, user_id, NULL, core_test_store_result_cb, &result);
  return muster_photo_loader_load_image_finish (f->loader, core_test_wait (&result), error);
}

/* A JPEG and a PNG come back as avatars: small ones as they are, big ones scaled down. */
static void
test_decodes_photos (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) jpeg = make_image (48, 48, "jpeg");
  g_autoptr(GBytes) png = make_image (400, 200, "png");
  g_autoptr(GdkPixbuf) small = NULL, wide = NULL, none = NULL;
  g_autoptr(GError) error = NULL;

  put_photo (f, "u-jpeg", jpeg);
  put_photo (f, "u-png", png);
  put_photo (f, "u-none", NULL);

  small = load_image (f, "u-jpeg", &error);
  g_assert_no_error (error);
  g_assert_nonnull (small);
  g_assert_cmpint (gdk_pixbuf_get_width (small), ==, 48);
  g_assert_cmpint (gdk_pixbuf_get_height (small), ==, 48);

  /* the shorter side is the avatar's size at scale 2, the proportions kept */
  wide = load_image (f, "u-png", &error);
  g_assert_no_error (error);
  g_assert_nonnull (wide);
  g_assert_cmpint (gdk_pixbuf_get_height (wide), ==, MUSTER_PHOTO_DECODE_SIZE);
  g_assert_cmpint (gdk_pixbuf_get_width (wide), ==, 2 * MUSTER_PHOTO_DECODE_SIZE);

  /* a user without a photo: no image and no error, so the initials stay */
  none = load_image (f, "u-none", &error);
  g_assert_no_error (error);
  g_assert_null (none);
}

/* More than 4 MiB, or more than 4096 pixels either way: refused with a clear error, unread. */
static void
test_refuses_huge_photos (Fixture *f, gconstpointer data)
{
  static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree guint8 *heavy = g_malloc0 (MUSTER_PHOTO_MAX_BYTES + 1);
  g_autoptr(GBytes) heavy_bytes = NULL;
  g_autoptr(GBytes) tall = make_image (8, MUSTER_PHOTO_MAX_PIXELS + 1, "png");
  g_autoptr(GBytes) wide = make_image (20000, 4, "png");
  g_autoptr(GBytes) wide_jpeg = make_image (MUSTER_PHOTO_MAX_PIXELS + 8, 16, "jpeg");
  g_autoptr(GdkPixbuf) image = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (heavy, png_signature, sizeof png_signature);
  heavy_bytes = g_bytes_new_take (g_steal_pointer (&heavy), MUSTER_PHOTO_MAX_BYTES + 1);
  put_photo (f, "u-heavy", heavy_bytes);
  image = load_image (f, "u-heavy", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "4 MiB"));
  g_assert_null (image);
  g_clear_error (&error);

  /* the few bytes of a tall PNG would decode into a big image */
  g_assert_cmpuint (g_bytes_get_size (tall), <, 64 * 1024);
  put_photo (f, "u-tall", tall);
  image = load_image (f, "u-tall", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "4096"));
  g_assert_null (image);
  g_clear_error (&error);

  image = muster_photo_decode (wide, MUSTER_PHOTO_DECODE_SIZE, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_null (image);
  g_clear_error (&error);

  image = muster_photo_decode (wide_jpeg, MUSTER_PHOTO_DECODE_SIZE, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_null (image);
}

/* What is not a whole JPEG or PNG is an error, never a crash or a half image. */
static void
test_refuses_other_data (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) png = make_image (64, 64, "png");
  g_autoptr(GBytes) jpeg = make_image (64, 64, "jpeg");
  static const char svg_text[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\"/>";
  static const char html_text[] = "<html>Sign in</html>";
  g_autoptr(GBytes) svg = g_bytes_new_static (svg_text, strlen (svg_text));
  g_autoptr(GBytes) html = g_bytes_new_static (html_text, strlen (html_text));
  g_autoptr(GBytes) bmp = NULL;
  GBytes *truncated[2];
  g_autoptr(GdkPixbuf) image = NULL;
  g_autoptr(GError) error = NULL;

  /* a format gdk-pixbuf reads but Graph never gives */
  bmp = make_image (16, 16, "bmp");
  for (guint i = 0; i < 3; i++)
    {
      GBytes *other = i == 0 ? svg : i == 1 ? html : bmp;

      image = muster_photo_decode (other, MUSTER_PHOTO_DECODE_SIZE, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "JPEG or PNG"));
      g_assert_null (image);
      g_clear_error (&error);
    }

  truncated[0] = g_bytes_new_from_bytes (png, 0, g_bytes_get_size (png) / 2);
  truncated[1] = g_bytes_new_from_bytes (jpeg, 0, 40);
  for (guint i = 0; i < G_N_ELEMENTS (truncated); i++)
    {
      put_photo (f, "u-cut", truncated[i]);
      image = load_image (f, "u-cut", &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "could not be read"));
      g_assert_null (image);
      g_clear_error (&error);
      g_bytes_unref (truncated[i]);
    }
}

typedef struct
{
  gint64 last;
  gint64 longest;
} Ticks;

static gboolean
tick_cb (gpointer user_data)
{
  Ticks *ticks = user_data;
  gint64 now = g_get_monotonic_time ();

  ticks->longest = MAX (ticks->longest, now - ticks->last);
  ticks->last = now;
  return G_SOURCE_CONTINUE;
}

/* While a big photo decodes, the main loop keeps running: the longest pause it sees is far
 * shorter than decoding that photo takes. */
static void
test_decodes_off_main_loop (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) big = make_image (MUSTER_PHOTO_MAX_PIXELS, MUSTER_PHOTO_MAX_PIXELS, "png");
  g_autoptr(GdkPixbuf) direct = NULL, image = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Ticks ticks = { 0 };
  gint64 start, decode_time;
  guint tick_id;

  g_assert_cmpuint (g_bytes_get_size (big), <=, MUSTER_PHOTO_MAX_BYTES);
  start = g_get_monotonic_time ();
  direct = muster_photo_decode (big, MUSTER_PHOTO_DECODE_SIZE, &error);
  decode_time = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (direct), ==, MUSTER_PHOTO_DECODE_SIZE);
  g_test_message ("decoding %" G_GSIZE_FORMAT " bytes of PNG took %" G_GINT64_FORMAT " ms",
                  g_bytes_get_size (big), decode_time / 1000);
  if (decode_time < 40 * 1000)
    {
      g_test_skip ("decoding is too fast here to tell a blocked main loop from a busy machine");
      return;
    }

  put_photo (f, "u-big", big);
  ticks.last = g_get_monotonic_time ();
  tick_id = g_timeout_add (2, tick_cb, &ticks);
  muster_photo_loader_load_image_async (f->loader, "u-big", NULL, core_test_store_result_cb, &result);
  image = muster_photo_loader_load_image_finish (f->loader, core_test_wait (&result), &error);
  g_source_remove (tick_id);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (image), ==, MUSTER_PHOTO_DECODE_SIZE);
  g_test_message ("the longest main-loop pause was %" G_GINT64_FORMAT " ms", ticks.longest / 1000);
  g_assert_cmpint (ticks.longest, <, decode_time / 2);
}

/* What the fake's oversize photo rule says it wrote of the body. */
static guint64
oversize_written (MusterFakeTenant *tenant)
{
  g_autoptr(FakeResponse) r = fake_test_request (tenant, "GET", "/_fake/faults", NULL, NULL, NULL);
  JsonArray *rules;

  g_assert_cmpuint (r->status, ==, 200);
  rules = json_object_get_array_member (json_node_get_object (r->json), "rules");
  g_assert_cmpuint (json_array_get_length (rules), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rules, 0), "fired"), ==, 1);
  return json_object_get_int_member (json_array_get_object_element (rules, 0), "written");
}

static GBytes *
load_photo (MusterPhotoLoader *loader,
            const char        *user_id,
            GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  muster_photo_loader_load_async (loader, user_id, NULL, core_test_store_result_cb, &result);
  return muster_photo_loader_load_finish (loader, core_test_wait (&result), error);
}

/* A 256 MiB photo, with a Content-Length that says so and in chunks that do not: refused with
 * the clear error, nothing cached, and Muster read no more than the cap of it: the fake sent
 * only what the sockets' buffers take past that, far from the whole. */
static void
test_stops_reading_at_cap (Fixture *f, gconstpointer data)
{
  static const guint64 size = 256 * 1024 * 1024;
  g_autoptr(MusterFakeTenant) tenant = NULL;
  g_autoptr(MusterProfileStore) profiles = NULL;
  g_autoptr(MusterProfile) profile = NULL;
  g_autoptr(MusterSession) session = NULL;
  g_autoptr(MusterGraphClient) graph = NULL;
  g_autoptr(MusterPhotoLoader) online = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "profiles.ini", NULL);
  MusterFakeOptions options;

  if (!core_test_keyring_usable ())
    return;
  g_setenv ("MUSTER_BROWSER", g_getenv ("MUSTER_TEST_BROWSER"), TRUE);
  g_unsetenv ("MUSTER_TEST_BROWSER_ACTION");
  muster_fake_options_init (&options);
  tenant = fake_test_start_tenant (&options);
  muster_cloud_set_override (muster_fake_tenant_get_base_url (tenant), muster_fake_tenant_get_base_url (tenant));
  profiles = muster_profile_store_load (path, &error);
  g_assert_no_error (error);
  profile = muster_profile_new ("photo-cap");
  g_assert_true (muster_profile_store_add (profiles, profile, NULL));
  session = muster_session_new (profiles, profile);
  muster_session_sign_in_async (session, FALSE, NULL, core_test_store_result_cb, &result);
  g_assert_true (muster_session_sign_in_finish (session, core_test_wait (&result), &error));
  g_assert_no_error (error);
  graph = muster_graph_client_new (session);
  online = muster_photo_loader_new (f->store, "photo-cap", graph);

  for (int chunked = 0; chunked < 2; chunked++)
    {
      g_autofree char *user_id = g_strdup_printf ("u-huge-%d", chunked);
      g_autofree char *spec = g_strdup_printf ("{\"spec\":\"oversize@/v1.0/users/%s/photos/48x48/$value"
                                               "/size=%" G_GUINT64_FORMAT "%s\"}",
                                               user_id, size, chunked ? "/chunked" : "");
      g_autoptr(FakeResponse) set = fake_test_request (tenant, "POST", "/_fake/faults", NULL, "application/json", spec);
      g_autoptr(MusterPhotoLoader) offline = muster_photo_loader_new (f->store, "photo-cap", NULL);
      g_autoptr(GBytes) photo = NULL;
      g_autoptr(GBytes) cached = NULL;
      guint64 written;

      g_assert_cmpuint (set->status, ==, 204);
      photo = load_photo (online, user_id, &error);
      g_assert_null (photo);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, "4 MiB"));
      g_assert_nonnull (strstr (error->message, user_id));
      g_clear_error (&error);

      /* the fake may be writing into the socket still: let it run into the closed connection */
      g_usleep (200 * 1000);
      written = oversize_written (tenant);
      g_test_message ("%s: the fake wrote %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
                      chunked ? "chunked" : "Content-Length", written, size);
      g_assert_cmpuint (written, <, MUSTER_PHOTO_MAX_BYTES + 16 * 1024 * 1024);
      g_assert_cmpuint (written, <, size / 8);

      /* neither the photo nor "no photo" was remembered */
      cached = load_photo (offline, user_id, &error);
      g_assert_no_error (error);
      g_assert_null (cached);
    }

  {
    g_autoptr(GAsyncResult) cleared = NULL;

    muster_keyring_clear_async ("photo-cap", -1, NULL, core_test_store_result_cb, &cleared);
    muster_keyring_clear_finish (core_test_wait (&cleared), NULL);
  }
  muster_cloud_set_override (NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/photo-loader/decodes", Fixture, NULL, fixture_set_up, test_decodes_photos, fixture_tear_down);
  g_test_add ("/photo-loader/refuses-huge", Fixture, NULL, fixture_set_up, test_refuses_huge_photos,
              fixture_tear_down);
  g_test_add ("/photo-loader/refuses-other-data", Fixture, NULL, fixture_set_up, test_refuses_other_data,
              fixture_tear_down);
  g_test_add ("/photo-loader/stops-reading-at-cap", Fixture, NULL, fixture_set_up, test_stops_reading_at_cap,
              fixture_tear_down);
  g_test_add ("/photo-loader/off-main-loop", Fixture, NULL, fixture_set_up, test_decodes_off_main_loop,
              fixture_tear_down);
  return g_test_run ();
}
