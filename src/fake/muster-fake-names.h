/* muster-fake-names.h: word lists the fake tenant's generator draws invented people from
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Given names and surnames are combined at random, so the people are invented; the lists mix
 * languages on purpose (accents, apostrophes, hyphens) because real directories do. */
extern const char * const _muster_fake_given_names[];
extern const guint        _muster_fake_n_given_names;
extern const char * const _muster_fake_surnames[];
extern const guint        _muster_fake_n_surnames;

/* Whole names written in their own script, with the ASCII alias an admin would give the
 * mailbox. Display order follows the language (family name first in Chinese, Japanese, Korean). */
typedef struct
{
  const char *display_name;
  const char *given_name;
  const char *surname;
  const char *alias;               /* "hina.sato" */
  const char *preferred_language;
} MusterFakeNativeName;

extern const MusterFakeNativeName _muster_fake_native_names[];
extern const guint                _muster_fake_n_native_names;

typedef struct
{
  const char *name;                /* department */
  const char *head_title;          /* reports to the CEO */
  const char *lead_title;          /* reports to the head */
  const char * const *titles;      /* NULL-terminated, everyone else */
  guint       weight;              /* share of the staff */
  const char *group_name;          /* its Microsoft 365 team */
  const char *mail_nickname;
} MusterFakeDepartment;

extern const MusterFakeDepartment _muster_fake_departments[];
extern const guint                _muster_fake_n_departments;

typedef struct
{
  const char *office_location;
  const char *city;
  const char *country;             /* Graph's `country` is free text */
  const char *usage_location;      /* ISO 3166 alpha-2 */
  const char *phone_prefix;        /* numbers reserved for fiction where the country has them */
  guint       phone_digits;        /* random digits after the prefix */
  const char *preferred_language;
  guint       weight;
} MusterFakeOffice;

extern const MusterFakeOffice _muster_fake_offices[];
extern const guint            _muster_fake_n_offices;

/* Partner organisations guests come from (domains under the reserved .example TLD, RFC 2606). */
extern const char * const _muster_fake_partner_domains[];
extern const guint        _muster_fake_n_partner_domains;

/* Words for generated group names ("Project Kestrel"). */
extern const char * const _muster_fake_project_words[];
extern const guint        _muster_fake_n_project_words;

G_END_DECLS
