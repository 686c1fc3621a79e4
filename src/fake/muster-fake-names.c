/* muster-fake-names.c
 *
 * Copyright 2026 The Muster authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "muster-fake-names"

#include "config.h"

#include "muster-fake-names.h"

const char * const _muster_fake_given_names[] = {
  "Amelia", "Oliver", "Isla", "Theo", "Freya", "Arthur", "Maeve", "Rory", "Niamh", "Cillian",
  "Sofía", "Mateo", "Lucía", "Álvaro", "Inés", "Joaquín", "Zoë", "Chloé", "Anaïs", "Renée",
  "Thérèse", "Léa", "Étienne", "François", "Søren", "Björn", "Åsa", "Linnéa", "Jörg", "Jürgen",
  "Lena", "Felix", "Łukasz", "Zofia", "Małgorzata", "Wojciech", "Dóra", "Zoltán", "Siân", "Dafydd",
  "Chidi", "Ngozi", "Adaeze", "Oluwaseun", "Kwame", "Amara", "Tendai", "Wanjiru", "Priya", "Arjun",
  "Ananya", "Rohan", "Meera", "Vikram", "Aisha", "Omar", "Yusuf", "Leila", "Hamza", "Noor",
  "Mei", "Jun", "Hiroshi", "Yuki", "Min-jun", "Seo-yeon", "Thanh", "Linh", "Joana", "João",
  "Beatriz", "Gonçalo", "Francesca", "Matteo", "Giulia", "Niccolò", "Elena", "Dimitri", "Katarzyna", "Tomasz",
  "Grace", "Samuel", "Hannah", "Caleb", "Ruth", "Ezra", "Naomi", "Jonah", "Maya", "Eli",
  "Ingrid", "Magnus", "Astrid", "Leif", "Aurora", "Kai", "Marisol", "Rafael", "Camila", "Tomás",
  "Ayşe", "Emre", "Çağla", "Mehmet", "Anh", "Bảo", "Kalani", "Mana", "Tamsin", "Bronwen",
};
const guint _muster_fake_n_given_names = G_N_ELEMENTS (_muster_fake_given_names);

const char * const _muster_fake_surnames[] = {
  "Okafor", "Abara", "Mensah", "Adeyemi", "Kariuki", "Moyo", "O'Neill", "D'Souza", "O'Connor", "McAllister",
  "García", "Fernández", "Núñez", "Muñoz", "Peña", "Castillo", "Álvarez", "Ibáñez", "Dubois", "Moreau",
  "Lefèvre", "Girard", "Beaumont", "Müller", "Schäfer", "Köhler", "Weiß", "Brandt", "Lindqvist", "Sjöberg",
  "Ødegård", "Halvorsen", "Kowalczyk", "Wiśniewska", "Nowak", "Zieliński", "Horváth", "Szabó", "Nagy", "Rossi",
  "Bianchi", "Esposito", "Conti", "Ferreira", "Gonçalves", "Sousa", "Carvalho", "Patel", "Iyer", "Kaur",
  "Reddy", "Chatterjee", "Menon", "Haddad", "Nasser", "Khoury", "Rahman", "Siddiqui", "Farouk", "Nguyen",
  "Tran", "Pham", "Nakamura", "Takahashi", "Kimura", "Park", "Choi", "Lim", "Chen", "Huang",
  "Wong", "Leung", "Tanaka", "Yilmaz", "Demir", "Şahin", "Papadopoulos", "Nikolaidis", "Ivanova", "Petrov",
  "Kovač", "Novák", "Dvořák", "Jensen", "Christiansen", "Virtanen", "Mäkinen", "Hughes", "Pritchard", "Llewellyn",
  "Fairweather", "Ashdown", "Whitlock", "Penhaligon", "Ravensworth", "Thistlewood", "Hollingsworth", "Blackwood", "Underhill", "Quarrington",
  "Abernathy-Cole", "Smith-Njoroge", "van der Berg", "de la Cruz", "dos Santos", "ter Horst", "Al-Amin", "Ben-David", "St. Clair", "Vance",
};
const guint _muster_fake_n_surnames = G_N_ELEMENTS (_muster_fake_surnames);

const MusterFakeNativeName _muster_fake_native_names[] = {
  { "王芳", "芳", "王", "fang.wang", "zh-CN" },
  { "陈伟", "伟", "陈", "wei.chen", "zh-CN" },
  { "林美玲", "美玲", "林", "meiling.lin", "zh-TW" },
  { "佐藤 陽菜", "陽菜", "佐藤", "hina.sato", "ja-JP" },
  { "鈴木 健太", "健太", "鈴木", "kenta.suzuki", "ja-JP" },
  { "김민준", "민준", "김", "minjun.kim", "ko-KR" },
  { "박서연", "서연", "박", "seoyeon.park", "ko-KR" },
  { "ليلى حداد", "ليلى", "حداد", "layla.haddad", "ar-AE" },
  { "عمر الفاسي", "عمر", "الفاسي", "omar.alfasi", "ar-AE" },
  { "يوسف نصر", "يوسف", "نصر", "youssef.nasr", "ar-AE" },
  { "נועה כהן", "נועה", "כהן", "noa.cohen", "he-IL" },
  { "אורי לוי", "אורי", "לוי", "uri.levi", "he-IL" },
  { "Ελένη Παπαδοπούλου", "Ελένη", "Παπαδοπούλου", "eleni.papadopoulou", "el-GR" },
  { "Анна Смирнова", "Анна", "Смирнова", "anna.smirnova", "ru-RU" },
  { "Nguyễn Thị Hương", "Hương", "Nguyễn", "huong.nguyen", "vi-VN" },
  { "प्रिया शर्मा", "प्रिया", "शर्मा", "priya.sharma", "hi-IN" },
};
const guint _muster_fake_n_native_names = G_N_ELEMENTS (_muster_fake_native_names);

static const char * const engineering_titles[] = {
  "Software Engineer", "Senior Software Engineer", "Staff Engineer", "QA Engineer",
  "Site Reliability Engineer", "Firmware Engineer", "Hardware Engineer", NULL
};
static const char * const product_titles[] = {
  "Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher", NULL
};
static const char * const sales_titles[] = {
  "Account Executive", "Senior Account Executive", "Sales Development Representative",
  "Solutions Consultant", "Channel Partner Manager", NULL
};
static const char * const marketing_titles[] = {
  "Content Strategist", "Brand Designer", "Marketing Analyst", "Events Coordinator", NULL
};
static const char * const finance_titles[] = {
  "Accountant", "Financial Analyst", "Payroll Specialist", "Accounts Payable Clerk", NULL
};
static const char * const people_titles[] = {
  "HR Generalist", "Recruiter", "Learning & Development Specialist", "People Partner", NULL
};
static const char * const operations_titles[] = {
  "Logistics Coordinator", "Procurement Specialist", "Facilities Coordinator",
  "Production Planner", "Warehouse Supervisor", NULL
};
static const char * const success_titles[] = {
  "Customer Success Manager", "Support Engineer", "Technical Writer", "Onboarding Specialist", NULL
};
static const char * const legal_titles[] = {
  "Paralegal", "Contracts Manager", "Privacy Officer", NULL
};
static const char * const it_titles[] = {
  "Systems Administrator", "Service Desk Analyst", "Security Analyst", "Network Engineer", NULL
};

const MusterFakeDepartment _muster_fake_departments[] = {
  { "Engineering", "VP of Engineering", "Engineering Manager", engineering_titles, 25, "Engineering Team", "engineering" },
  { "Product", "Chief Product Officer", "Product Lead", product_titles, 8, "Product Team", "product" },
  { "Sales", "VP of Sales", "Regional Sales Manager", sales_titles, 16, "Sales Team", "sales" },
  { "Marketing", "Head of Marketing", "Marketing Manager", marketing_titles, 8, "Marketing Team", "marketing" },
  { "Finance", "Chief Financial Officer", "Finance Manager", finance_titles, 7, "Finance Team", "finance" },
  { "People", "Head of People", "People Operations Lead", people_titles, 6, "People Team", "people" },
  { "Operations", "Chief Operating Officer", "Operations Manager", operations_titles, 10, "Operations Team", "operations" },
  { "Customer Success", "Head of Customer Success", "Support Team Lead", success_titles, 12, "Customer Success Team", "customersuccess" },
  { "Legal", "General Counsel", "Legal Manager", legal_titles, 3, "Legal Team", "legal" },
  { "IT", "Head of IT", "IT Manager", it_titles, 5, "IT Team", "it" },
};
const guint _muster_fake_n_departments = G_N_ELEMENTS (_muster_fake_departments);

/* UK (Ofcom), North American (555-01xx), German (Bundesnetzagentur) and Australian (ACMA)
 * numbers are from the ranges reserved for drama; the others are merely unassigned-looking. */
const MusterFakeOffice _muster_fake_offices[] = {
  { "Bristol HQ", "Bristol", "United Kingdom", "GB", "+44 117 496 0", 3, "en-GB", 34 },
  { "Seattle", "Seattle", "United States", "US", "+1 206 555 01", 2, "en-US", 16 },
  { "Montréal", "Montréal", "Canada", "CA", "+1 514 555 01", 2, "fr-CA", 8 },
  { "Berlin", "Berlin", "Germany", "DE", "+49 30 23125 ", 3, "de-DE", 12 },
  { "Lisbon", "Lisboa", "Portugal", "PT", "+351 21 000 ", 4, "pt-PT", 9 },
  { "Sydney", "Sydney", "Australia", "AU", "+61 2 5550 ", 4, "en-AU", 7 },
  { "Tokyo", "東京", "Japan", "JP", "+81 3 5550 ", 4, "ja-JP", 6 },
  { "Tel Aviv", "Tel Aviv", "Israel", "IL", "+972 3 555 ", 4, "he-IL", 4 },
  { "Dubai", "Dubai", "United Arab Emirates", "AE", "+971 4 555 ", 4, "ar-AE", 4 },
};
const guint _muster_fake_n_offices = G_N_ELEMENTS (_muster_fake_offices);

const char * const _muster_fake_partner_domains[] = {
  "partner.example", "brightwater-consulting.example", "auditors.example", "mail.example",
  "fieldservice.example", "agency.example",
};
const guint _muster_fake_n_partner_domains = G_N_ELEMENTS (_muster_fake_partner_domains);

const char * const _muster_fake_project_words[] = {
  "Kestrel", "Heron", "Lantern", "Quarry", "Meridian", "Tidewater", "Foxglove", "Basalt",
  "Juniper", "Halcyon", "Cobalt", "Driftwood", "Saffron", "Orchard", "Granite", "Willow",
  "Aurora", "Beacon", "Cinder", "Delta", "Ember", "Fjord", "Glacier", "Harbour",
};
const guint _muster_fake_n_project_words = G_N_ELEMENTS (_muster_fake_project_words);
