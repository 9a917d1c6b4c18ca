/** The account's fixed lists: countries and their provinces. */
export const countries: Record<string, string> = {
  USA: 'United States',
  GBR: 'United Kingdom',
  DEU: 'Germany',
  FRA: 'France',
  JPN: 'Japan',
  CAN: 'Canada',
  BRA: 'Brazil',
  AUS: 'Australia',
  CIV: "Côte d'Ivoire",
  ALA: 'Åland Islands',
};

export const provinces: Record<string, Record<string, string>> = {
  USA: { 'US-MA': 'Massachusetts', 'US-NJ': 'New Jersey', 'US-NY': 'New York', 'US-CA': 'California' },
  GBR: { 'GB-LND': 'London, City of', 'GB-EDH': 'Edinburgh' },
  DEU: { 'DE-BE': 'Berlin', 'DE-BY': 'Bayern' },
  FRA: { 'FR-75': 'Paris', 'FR-13': 'Bouches-du-Rhône' },
  JPN: { 'JP-13': '東京都', 'JP-27': '大阪府' },
  CAN: { 'CA-QC': 'Québec', 'CA-ON': 'Ontario' },
  BRA: { 'BR-SP': 'São Paulo' },
};
