/**
 * Static vocabulary of the simulated marketplace: where people live and book, what they book, and what it costs.
 * Weights are relative and deliberately skewed (Gangnam is busy, Jeju is small) so that downstream code sees
 * the imbalance a real Korean services platform has, not a uniform toy.
 */

/** Coarse areas: people who leave their own district mostly stay within the same metropolitan area. */
export const REGION_GROUPS = ['capital', 'southeast', 'central-southwest', 'jeju'] as const;

/** One bookable area; `userWeight` is its share of customers, `serviceWeight` its share of providers. */
export interface Region {
  readonly name: string;
  /** Short form used inside service names ("Bloom Hair Salon, Gangnam"). */
  readonly shortName: string;
  readonly group: number;
  readonly userWeight: number;
  readonly serviceWeight: number;
}

function region(name: string, group: (typeof REGION_GROUPS)[number], userWeight: number): Region {
  const shortName = name.startsWith('Seoul-') ? name.slice('Seoul-'.length) : name;
  // Providers cluster in commercial districts even more than customers do.
  return { name, shortName, group: REGION_GROUPS.indexOf(group), userWeight, serviceWeight: userWeight ** 1.3 };
}

export const REGIONS: readonly Region[] = [
  region('Seoul-Gangnam', 'capital', 12),
  region('Seoul-Songpa', 'capital', 8),
  region('Seoul-Seocho', 'capital', 7),
  region('Seoul-Mapo', 'capital', 6),
  region('Seoul-Yeongdeungpo', 'capital', 4),
  region('Seoul-Gwanak', 'capital', 4),
  region('Seoul-Nowon', 'capital', 4),
  region('Seoul-Yongsan', 'capital', 3),
  region('Seoul-Seongdong', 'capital', 3),
  region('Seoul-Jongno', 'capital', 2.5),
  region('Incheon', 'capital', 7),
  region('Suwon', 'capital', 5),
  region('Seongnam', 'capital', 4),
  region('Goyang', 'capital', 4),
  region('Busan', 'southeast', 8),
  region('Daegu', 'southeast', 5),
  region('Ulsan', 'southeast', 2),
  region('Daejeon', 'central-southwest', 3),
  region('Gwangju', 'central-southwest', 3),
  region('Jeju', 'jeju', 1.5),
];

/** One service category with its price model (lognormal around `medianPrice` KRW). */
export interface Category {
  readonly name: string;
  /** Share of providers, and how often the category is someone's favourite. */
  readonly weight: number;
  readonly medianPrice: number;
  /** Log-space standard deviation of the price. */
  readonly priceSigma: number;
  /** Multipliers on `weight` when choosing a customer's favourite categories, by reported gender. */
  readonly tilt: { readonly M: number; readonly F: number };
  readonly nouns: readonly string[];
}

export const CATEGORIES: readonly Category[] = [
  {
    name: 'hair',
    weight: 12,
    medianPrice: 40_000,
    priceSigma: 0.45,
    tilt: { M: 0.8, F: 1.2 },
    nouns: ['Hair Salon', 'Hair Studio', 'Barber Shop', 'Head Spa', 'Perm & Color'],
  },
  {
    name: 'beauty',
    weight: 9,
    medianPrice: 70_000,
    priceSigma: 0.5,
    tilt: { M: 0.4, F: 1.6 },
    nouns: ['Beauty Lounge', 'Skin Clinic', 'Makeup Studio', 'Lash & Brow Bar', 'Waxing Studio'],
  },
  {
    name: 'nail',
    weight: 7,
    medianPrice: 45_000,
    priceSigma: 0.35,
    tilt: { M: 0.2, F: 1.8 },
    nouns: ['Nail Studio', 'Nail Art', 'Gel Nail Bar', 'Nail & Hand Care'],
  },
  {
    name: 'fitness',
    weight: 10,
    medianPrice: 60_000,
    priceSigma: 0.6,
    tilt: { M: 1.5, F: 0.7 },
    nouns: ['PT Studio', 'Fitness Club', 'CrossFit Box', 'Boxing Gym', 'Personal Training'],
  },
  {
    name: 'yoga-pilates',
    weight: 8,
    medianPrice: 35_000,
    priceSigma: 0.4,
    tilt: { M: 0.4, F: 1.6 },
    nouns: ['Pilates Studio', 'Yoga Center', 'Reformer Pilates', 'Hot Yoga'],
  },
  {
    name: 'massage',
    weight: 7,
    medianPrice: 80_000,
    priceSigma: 0.4,
    tilt: { M: 1.1, F: 0.9 },
    nouns: ['Massage', 'Thai Massage', 'Foot Spa', 'Sports Massage', 'Aroma Therapy'],
  },
  {
    name: 'cleaning',
    weight: 8,
    medianPrice: 90_000,
    priceSigma: 0.4,
    tilt: { M: 1, F: 1 },
    nouns: ['Home Cleaning', 'Move-in Cleaning', 'Aircon Cleaning', 'Office Cleaning', 'Mattress Care'],
  },
  {
    name: 'moving',
    weight: 3,
    medianPrice: 450_000,
    priceSigma: 0.6,
    tilt: { M: 1.1, F: 0.9 },
    nouns: ['Moving Service', 'Small Moves', 'Packing Service', 'Storage & Moving'],
  },
  {
    name: 'repair',
    weight: 6,
    medianPrice: 70_000,
    priceSigma: 0.7,
    tilt: { M: 1.4, F: 0.7 },
    nouns: ['Appliance Repair', 'Phone Repair', 'Plumbing', 'Electrical Repair', 'Boiler Service'],
  },
  {
    name: 'interior',
    weight: 3,
    medianPrice: 1_500_000,
    priceSigma: 0.8,
    tilt: { M: 1.1, F: 0.9 },
    nouns: ['Interior Design', 'Wallpaper', 'Tiling', 'Bathroom Remodel', 'Lighting Install'],
  },
  {
    name: 'tutoring',
    weight: 6,
    medianPrice: 50_000,
    priceSigma: 0.4,
    tilt: { M: 0.9, F: 1.1 },
    nouns: ['Math Tutoring', 'Science Tutoring', 'Essay Coaching', 'SAT Prep', 'Coding Class'],
  },
  {
    name: 'language',
    weight: 5,
    medianPrice: 40_000,
    priceSigma: 0.4,
    tilt: { M: 1, F: 1 },
    nouns: ['English Conversation', 'Japanese Class', 'Chinese Class', 'Korean for Foreigners', 'Business English'],
  },
  {
    name: 'music-lesson',
    weight: 4,
    medianPrice: 50_000,
    priceSigma: 0.35,
    tilt: { M: 0.9, F: 1.1 },
    nouns: ['Piano Lesson', 'Guitar Lesson', 'Vocal Training', 'Drum Lesson', 'Violin Lesson'],
  },
  {
    name: 'pet-care',
    weight: 6,
    medianPrice: 35_000,
    priceSigma: 0.5,
    tilt: { M: 0.8, F: 1.2 },
    nouns: ['Dog Grooming', 'Pet Sitting', 'Dog Walking', 'Cat Hotel', 'Pet Training'],
  },
  {
    name: 'photography',
    weight: 4,
    medianPrice: 150_000,
    priceSigma: 0.6,
    tilt: { M: 0.8, F: 1.2 },
    nouns: ['Profile Photo', 'Wedding Snap', 'Family Photo', 'ID Photo', 'Studio Rental'],
  },
];

const BRANDS = [
  'Bloom',
  'Daon',
  'Haneul',
  'Sora',
  'Mint',
  'Urban',
  'Golden',
  'Blue',
  'Maru',
  'Saebom',
  'Nuri',
  'Hanbit',
  'Dalbit',
  'Onnuri',
  'Green',
  'Luna',
  'Seoul',
  "Jin's",
  "Kim's",
  "Park's",
  "Lee's",
  'Yuna',
  'Ara',
  'Mono',
  'Studio 9',
  'Hello',
  'Bom',
  'Ddeok',
  'Gaon',
  'Isul',
] as const;
/** Hangul brand names keep the files honest about being UTF-8. */
const KOREAN_BRANDS = ['하늘', '다온', '봄날', '누리', '마루', '새봄', '한빛', '달빛'] as const;
const ADJECTIVES = ['Premium', 'Express', 'Cozy', 'Pro', 'Prime', 'Easy', 'Happy', 'Clean', 'Smart', 'Royal'] as const;

/** The only randomness `serviceName` needs; keeps this module free of the generator's state. */
export interface NamePicker {
  next(): number;
  pick<T>(items: readonly T[]): T;
}

/**
 * A plausible storefront name. A minority contain commas and double quotes on purpose, so that every
 * consumer of the landing files has to handle RFC-4180 quoting.
 */
export function serviceName(rng: NamePicker, category: Category, area: Region): string {
  const brand = rng.pick(BRANDS);
  const noun = rng.pick(category.nouns);
  const x = rng.next();
  if (x < 0.55) return `${brand} ${noun}`;
  if (x < 0.7) return `${rng.pick(ADJECTIVES)} ${noun} by ${brand}`;
  if (x < 0.8) return `${brand} ${noun} ${area.shortName}`;
  if (x < 0.88) return `${brand} ${noun}, ${area.shortName}`;
  if (x < 0.93) return `${brand} "${rng.pick(ADJECTIVES)}" ${noun}`;
  if (x < 0.97) return `${rng.pick(KOREAN_BRANDS)} ${noun}`;
  return `${brand} ${noun}, "${rng.pick(ADJECTIVES)}" Course`;
}

/** Prices are quoted in whole won, rounded the way shops round them; a rare half-won exercises decimals. */
export function roundPrice(rng: NamePicker, raw: number): number {
  const step = raw >= 100_000 ? 10_000 : raw >= 20_000 ? 1_000 : 500;
  const price = Math.max(5_000, Math.round(raw / step) * step);
  return rng.next() < 0.004 ? price + 0.5 : price;
}
