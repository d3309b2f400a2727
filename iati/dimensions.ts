/**
 * `dimension` names. We write our own dimension keys (sex, age_group, population_type, nationality,
 * location); IATI leaves names free, so reading also accepts the usual synonyms of other publishers.
 */
import { DISAGGREGATION_DIMENSIONS, type Disaggregation, type DisaggregationDimension } from '../domain/results-framework.js';

const SYNONYMS: Record<string, DisaggregationDimension> = {
  sex: 'sex',
  gender: 'sex',
  age: 'age_group',
  age_group: 'age_group',
  age_groups: 'age_group',
  age_range: 'age_group',
  age_band: 'age_group',
  population_type: 'population_type',
  population_group: 'population_type',
  population: 'population_type',
  beneficiary_type: 'population_type',
  displacement_status: 'population_type',
  nationality: 'nationality',
  country_of_origin: 'nationality',
  location: 'location',
  mantika: 'location',
  baladiya: 'location',
  municipality: 'location',
  district: 'location',
  region: 'location',
};

/** Our dimension for an IATI dimension name ("Age group", "gender", ...), or undefined. */
export function dimensionOf(name: string): DisaggregationDimension | undefined {
  return SYNONYMS[name.trim().toLowerCase().replace(/[\s-]+/g, '_')];
}

/** Category text as stored: trimmed; sex in lower case ("Female" -> "female"), as our data has it. */
export function categoryOf(dimension: DisaggregationDimension, value: string): string {
  const v = value.trim();
  return dimension === 'sex' ? v.toLowerCase() : v;
}

/** The (name, value) pairs of one disaggregation cell, in our dimension order. */
export function dimensionsOf(d: Disaggregation): Array<{ name: DisaggregationDimension; value: string }> {
  return DISAGGREGATION_DIMENSIONS.flatMap((name) => (d[name] ? [{ name, value: d[name]! }] : []));
}
