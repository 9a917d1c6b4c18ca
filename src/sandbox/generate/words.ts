/**
 * The words generated records are made of: chosen to break naive tools (commas, quotes, newlines,
 * emoji, accents, CJK, empty strings, leading zeros in phone numbers and postal codes).
 */
import type { Random } from '../random.js';

export const givenNames = [
  'Ana',
  'José',
  'Zoë',
  'Renée',
  'Søren',
  'Émilie',
  'Ólafur',
  'Mary-Jane',
  '李',
  '花子',
  'Jürgen',
  'Chloé',
  'Łukasz',
  'Nguyễn Văn',
  'Siobhán',
  'Ahmed',
  'Olga',
  'Pat',
  'Dana',
  'Kim',
  'Ella 🌸',
  'Sam',
];
export const familyNames = [
  'Smith',
  "O'Brien",
  'Müller',
  'García',
  'Smith, Jr.',
  '"The Rock" Johnson',
  '王',
  '山田',
  'Nguyễn',
  'Dvořák',
  'van der Berg',
  'Ødegaard',
  'Kowalski',
  'Ivanova',
  'Lee',
  'Brown',
  '',
];
export const companyWords = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Café Olé',
  '東京商事',
  'Müller & Söhne',
  'Smith, Jones and Co.',
  '"Best" Widgets',
  'Rocket 🚀 Labs',
];
export const companySuffixes = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'S.A.', '株式会社', ''];
export const jobTitles = ['CEO', 'Head of Sales, EMEA', 'Développeuse', 'エンジニア', 'Owner', '', 'VP "Growth"'];
export const timeZones = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
export const locales = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'pt_BR'];

export interface Place {
  country: string;
  region: string;
  city: string;
  postal: string;
  phone: string;
}
export const places: Place[] = [
  { country: 'USA', region: 'US-MA', city: 'Boston', postal: '02110', phone: '(617) 555-0' },
  { country: 'USA', region: 'US-NJ', city: 'Newark', postal: '07102', phone: '(973) 555-0' },
  { country: 'USA', region: 'US-NY', city: 'Holtsville', postal: '00501', phone: '(631) 555-0' },
  { country: 'GBR', region: 'GB-LND', city: 'London', postal: 'EC1A 1BB', phone: '020 7946 0' },
  { country: 'DEU', region: 'DE-BE', city: 'Berlin', postal: '01067', phone: '030 1234 0' },
  { country: 'FRA', region: 'FR-75', city: 'Paris', postal: '01000', phone: '01 23 45 0' },
  { country: 'JPN', region: 'JP-13', city: '東京', postal: '100-0001', phone: '03-1234-0' },
  { country: 'CAN', region: 'CA-QC', city: 'Montréal', postal: 'H2X 1Y4', phone: '(514) 555-0' },
  { country: 'BRA', region: 'BR-SP', city: 'São Paulo', postal: '01310-100', phone: '011 3030-0' },
];
export const streets = [
  '1 Main St',
  "22 Rue de l'Église",
  '3, Königstraße',
  'Apt. 4B\n55 Elm St',
  '千代田1-1',
  '10 Downing St',
  '"The Old Mill", Mill Lane',
];
export const noteBodies = [
  'Called, left voicemail.',
  'Interested in the "Pro" plan, budget $5,000.\nFollow up next week.',
  'Très intéressé 👍',
  '折り返し電話をお願いします。',
  '',
  'Line one\r\nLine two, with a comma\nLine "three"',
  'Prefers email; no calls before 10am ☕',
];
export const subjects = [
  'Welcome!',
  'Your invoice #0042',
  'Re: pricing, terms & "discounts"',
  'Grüße aus Berlin',
  '🎉 Big news',
  'ご注文ありがとうございます',
  '',
];

export function slug(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  return ascii || 'contact';
}

export function place(r: Random): Place {
  return r.pick(places);
}

export function phone(r: Random, p: Place): string {
  return p.phone + String(r.int(100, 999));
}
