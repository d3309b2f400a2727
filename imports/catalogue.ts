/**
 * What row validation needs to know about the portfolio: projects (by code and alternative code) with
 * their dates, and their indicators with type, disaggregation dimensions, the disaggregation check and
 * the reporting frequency. Small (hundreds of indicators), loaded once per import.
 */
import type { PeriodKind } from '../domain/periods.js';
import type { DisaggregationDimension, IndicatorType, TimeAggregation } from '../domain/results-framework.js';

export interface CatalogueIndicator {
  id: number;
  code: string;
  projectCode: string;
  type: IndicatorType;
  timeAggregation: TimeAggregation;
  disaggregations: readonly DisaggregationDimension[];
  disaggregationCheck: 'error' | 'warning';
  frequency: PeriodKind;
}

export interface CatalogueProject {
  code: string;
  altCode: string | null;
  startDate: string;
  endDate: string;
  indicators: Map<string, CatalogueIndicator>; // by code, and by upper-case code when that is unambiguous
}

export interface Catalogue {
  projects: Map<string, CatalogueProject>; // by code and alternative code, as written and in upper case
  indicatorsById: Map<number, CatalogueIndicator>;
}

export function buildCatalogue(
  projects: Array<Omit<CatalogueProject, 'indicators'>>,
  indicators: CatalogueIndicator[],
): Catalogue {
  const byCode = new Map<string, CatalogueProject>();
  const catalogue: Catalogue = { projects: new Map(), indicatorsById: new Map() };
  for (const p of projects) byCode.set(p.code, { ...p, indicators: new Map() });
  // Codes first, then each other code unless it names, in any case, a code or an earlier other code:
  // an other code never takes the place of a project's own code, so a row names the project its code names.
  const name = (key: string, project: CatalogueProject) => {
    for (const k of [key, key.toUpperCase()]) if (!catalogue.projects.has(k)) catalogue.projects.set(k, project);
  };
  for (const project of byCode.values()) name(project.code, project);
  for (const project of byCode.values()) if (project.altCode && !catalogue.projects.has(project.altCode.toUpperCase())) name(project.altCode, project);
  for (const i of indicators) {
    const project = byCode.get(i.projectCode);
    if (!project) continue;
    project.indicators.set(i.code, i);
    catalogue.indicatorsById.set(i.id, i);
  }
  for (const project of byCode.values()) {
    const upper = new Map<string, CatalogueIndicator[]>();
    for (const i of project.indicators.values()) upper.set(i.code.toUpperCase(), [...(upper.get(i.code.toUpperCase()) ?? []), i]);
    for (const [key, list] of upper) if (list.length === 1 && !project.indicators.has(key)) project.indicators.set(key, list[0]!);
  }
  return catalogue;
}

export const findProject = (c: Catalogue, code: string): CatalogueProject | undefined => c.projects.get(code) ?? c.projects.get(code.toUpperCase());
export const findIndicator = (p: CatalogueProject, code: string): CatalogueIndicator | undefined => p.indicators.get(code) ?? p.indicators.get(code.toUpperCase());
