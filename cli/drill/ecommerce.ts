/**
 * A generated stand-in for Kibana's `kibana_sample_data_ecommerce` (4,675 orders in the real sample),
 * deterministic for a seed so every drill and test sees the same documents and counts.
 */

import { seededRandom } from "./seeded";

/** The number of orders in Kibana's sample data set. */
export const SAMPLE_ORDER_COUNT = 4675;

const FIRST = [
  "Eddie",
  "Mary",
  "Gwen",
  "Diane",
  "Oliver",
  "Abd",
  "Wagdi",
  "Elyssa",
  "Sultan Al",
  "Pia",
  "Robbie",
  "Brigitte",
  "Jim",
  "Rabbia Al",
  "Yasmine",
  "Clarice",
];
const LAST = [
  "Underwood",
  "Bailey",
  "Butler",
  "Chandler",
  "Rios",
  "Mukherjee",
  "Shaw",
  "Graves",
  "Meyer",
  "Richards",
  "Reyes",
  "Holland",
  "Perkins",
  "Baker",
  "Wolfe",
  "Lamb",
];
const CATEGORIES = ["Men's Clothing", "Women's Clothing", "Women's Shoes", "Men's Shoes", "Women's Accessories", "Men's Accessories"];
const MANUFACTURERS = [
  "Elitelligence",
  "Oceanavigations",
  "Pyramidustries",
  "Tigress Enterprises",
  "Low Tide Media",
  "Angeldale",
  "Gnomehouse",
  "Spherecords",
  "Microlutions",
  "Champion Arts",
];
const PRODUCTS = [
  "Basic T-shirt",
  "Jersey dress",
  "Ankle boots",
  "Sweatshirt",
  "Trainers",
  "Cardigan",
  "Jeans Skinny Fit",
  "Winter jacket",
  "Handbag",
  "Sunglasses",
  "Leather belt",
  "Summer dress",
  "Lace-up boots",
  "Polo shirt",
];
const CITIES: Array<[string, string, string]> = [
  ["New York", "US", "North America"],
  ["Cairo", "EG", "Africa"],
  ["Istanbul", "TR", "Asia"],
  ["London", "GB", "Europe"],
  ["Paris", "FR", "Europe"],
  ["Dubai", "AE", "Asia"],
  ["Shanghai", "CN", "Asia"],
  ["Bogotá", "CO", "South America"],
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export interface EcommerceOrder {
  order_id: number;
  order_date: string;
  customer_first_name: string;
  customer_last_name: string;
  customer_full_name: string;
  customer_gender: "MALE" | "FEMALE";
  email: string;
  currency: "EUR";
  day_of_week: string;
  category: string[];
  manufacturer: string[];
  products: Array<{ product_name: string; manufacturer: string; category: string; price: number; quantity: number; sku: string }>;
  taxful_total_price: number;
  taxless_total_price: number;
  total_quantity: number;
  geoip: { city_name: string; country_iso_code: string; continent_name: string };
  user: string;
}

/** The orders, oldest first; `_id`s are the order ids as strings. */
export function* generateOrders(count = SAMPLE_ORDER_COUNT, seed = 20231): Generator<EcommerceOrder> {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const start = Date.UTC(2023, 5, 1);
  for (let i = 0; i < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const lines = 1 + Math.floor(rand() * 4);
    const products = Array.from({ length: lines }, () => {
      const price = Math.round((8 + rand() * 150) * 100) / 100;
      return {
        product_name: pick(PRODUCTS),
        manufacturer: pick(MANUFACTURERS),
        category: pick(CATEGORIES),
        price,
        quantity: 1,
        sku: `ZO0${Math.floor(100000 + rand() * 899999)}`,
      };
    });
    const total = Math.round(products.reduce((s, p) => s + p.price, 0) * 100) / 100;
    const date = new Date(start + Math.floor(i * ((30 * 86400_000) / count)));
    const [city, country, continent] = pick(CITIES);
    yield {
      order_id: 550000 + i,
      order_date: date.toISOString(),
      customer_first_name: first,
      customer_last_name: last,
      customer_full_name: `${first} ${last}`,
      customer_gender: rand() < 0.5 ? "MALE" : "FEMALE",
      email: `${first}@${last}-family.zzz`.toLowerCase().replace(/ /g, ""),
      currency: "EUR",
      day_of_week: DAYS[date.getUTCDay()] as string,
      category: [...new Set(products.map((p) => p.category))],
      manufacturer: [...new Set(products.map((p) => p.manufacturer))],
      products,
      taxful_total_price: total,
      taxless_total_price: total,
      total_quantity: lines,
      geoip: { city_name: city, country_iso_code: country, continent_name: continent },
      user: first.toLowerCase().replace(/ /g, ""),
    };
  }
}
