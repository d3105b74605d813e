// El Kef, the first municipality to run Twiza. Only public facts (see shared/CONTEXT.md): no
// invented phone numbers or people. Which arrondissement each neighbourhood belongs to is not
// known from public sources, so they are left for the municipality to assign.
import type { CreateMunicipalityOptions } from './municipalities.service.ts';

export const KEF_DEMO: CreateMunicipalityOptions = {
  slug: 'kef',
  name: { ar: 'بلدية الكاف', fr: 'Commune du Kef', en: 'Municipality of El Kef' },
  trackingPrefix: 'KEF',
  // Elected councils were dissolved in March 2023; the secretary-general runs the municipality.
  councilBody: 'acting_administrator',
  map: { lat: 36.18, lng: 8.71, zoom: 14 },
  address: { ar: 'بلدية الكاف، 7100 الكاف', fr: 'Hôtel de ville, 7100 Le Kef', en: 'Town hall, 7100 El Kef' },
  arrondissements: [
    { name: { ar: 'الدائرة البلدية الكاف الشرقية', fr: 'Arrondissement Kef Est', en: 'Kef East district' } },
    { name: { ar: 'الدائرة البلدية الكاف الغربية', fr: 'Arrondissement Kef Ouest', en: 'Kef West district' } },
  ],
  neighbourhoods: [
    { ar: 'المدينة العتيقة', fr: 'Médina', en: 'Medina' },
    { ar: 'الزيتونة', fr: 'Zitouna', en: 'Zitouna' },
    { ar: 'عين منّاخ', fr: 'Aïn Mnakh', en: 'Ain Mnakh' },
    { ar: 'حي الصخيرة', fr: 'Cité Skhira', en: 'Cite Skhira' },
    { ar: 'حي الدير', fr: 'Cité Eddir', en: 'Cite Eddir' },
    { ar: 'حي بوريو', fr: 'Cité Bouriou', en: 'Cite Bouriou' },
    { ar: 'حي العصفورية', fr: 'Cité El Asfouria', en: 'Cite El Asfouria' },
  ],
  departments: [
    { code: 'complaints-cell', name: { ar: 'خلية التصرف في الشكايات', fr: 'Cellule de gestion des réclamations', en: 'Complaints management cell' } },
    { code: 'cleanliness', name: { ar: 'مصلحة النظافة والبيئة', fr: 'Service de la propreté et de l’environnement', en: 'Cleanliness and environment' } },
    { code: 'technical', name: { ar: 'المصلحة الفنية', fr: 'Service technique', en: 'Technical service' } },
    { code: 'police', name: { ar: 'الشرطة البلدية', fr: 'Police municipale', en: 'Municipal police' } },
    { code: 'civil-status', name: { ar: 'مصلحة الحالة المدنية', fr: 'Service de l’état civil', en: 'Civil registry' } },
    { code: 'admin-finance', name: { ar: 'الشؤون الإدارية والمالية', fr: 'Services administratifs et financiers', en: 'Administrative and financial services' } },
  ],
};
