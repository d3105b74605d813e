// Texts of complaints by SMS: the answers a citizen reads on a basic phone (short: one Arabic
// SMS segment is 70 characters), and what the gateway is told when a delivery is refused.
import type { ModuleMessages } from '../../i18n/catalog.ts';

export const smsIntakeMessages: ModuleMessages = {
  ar: {
    'complaints.sms.received': '{municipality}: سُجّلت شكايتكم تحت الرقم {tracking}. لمتابعتها أرسلوا: حالة {tracking}',
    'complaints.sms.public_placeholder': 'شكاية وردت عبر إرسالية قصيرة. تنشر خلية التصرف في الشكايات ملخّصًا لها بعد مراجعتها.',
    'complaints.sms.status': '{municipality}: الشكاية {tracking}: {status}. {url}',
    'complaints.sms.unknown': '{municipality}: لا توجد شكاية بالرقم {tracking}. تثبّتوا من الرقم.',
    'complaints.sms.usage': '{municipality}: لمتابعة شكاية أرسلوا كلمة «حالة» ثم رقمها، مثل: حالة {example}',
    'complaints.sms.error.off': 'استقبال الإرساليات القصيرة غير مفعّل في هذا الخادم (SMS_INBOUND_SECRET).',
    'complaints.sms.error.secret': 'المفتاح السري المشترك غير صحيح.',
    'complaints.sms.error.too_large': 'الطلب كبير جدًا.',
    'complaints.sms.error.unreadable': 'تعذّرت قراءة الطلب: أرسلوا from وtext بصيغة form أو JSON.',
    'complaints.sms.error.unavailable': 'صنف الشكايات الواردة بالإرساليات القصيرة غير موجود (SMS_INTAKE_CATEGORY).',
    'complaints.sms.error.internal': 'حدث خطأ غير متوقع. أعيدوا الإرسال لاحقًا.',
  },
  fr: {
    'complaints.sms.received': '{municipality} : réclamation enregistrée sous le n° {tracking}. Pour la suivre, envoyez : STATUT {tracking}',
    'complaints.sms.public_placeholder': 'Réclamation reçue par SMS. La cellule de gestion des réclamations en publiera un résumé après vérification.',
    'complaints.sms.status': '{municipality} : réclamation {tracking} : {status}. {url}',
    'complaints.sms.unknown': '{municipality} : aucune réclamation n’a le n° {tracking}. Vérifiez le numéro.',
    'complaints.sms.usage': '{municipality} : pour suivre une réclamation, envoyez STATUT suivi de son numéro, par exemple : STATUT {example}',
    'complaints.sms.error.off': 'La réception des SMS n’est pas activée sur ce serveur (SMS_INBOUND_SECRET).',
    'complaints.sms.error.secret': 'Le secret partagé est incorrect.',
    'complaints.sms.error.too_large': 'La requête est trop volumineuse.',
    'complaints.sms.error.unreadable': 'Requête illisible : envoyez from et text, en formulaire ou en JSON.',
    'complaints.sms.error.unavailable': 'La catégorie des réclamations reçues par SMS n’existe pas (SMS_INTAKE_CATEGORY).',
    'complaints.sms.error.internal': 'Une erreur inattendue est survenue. Renvoyez plus tard.',
  },
  en: {
    'complaints.sms.received': '{municipality}: complaint registered as {tracking}. To follow it, send: STATUS {tracking}',
    'complaints.sms.public_placeholder': 'Complaint received by SMS. The complaints management cell will publish a summary after review.',
    'complaints.sms.status': '{municipality}: complaint {tracking}: {status}. {url}',
    'complaints.sms.unknown': '{municipality}: no complaint has the number {tracking}. Check the number.',
    'complaints.sms.usage': '{municipality}: to follow a complaint, send STATUS and its number, for example: STATUS {example}',
    'complaints.sms.error.off': 'Receiving SMS is not enabled on this server (SMS_INBOUND_SECRET).',
    'complaints.sms.error.secret': 'The shared secret is wrong.',
    'complaints.sms.error.too_large': 'The request is too large.',
    'complaints.sms.error.unreadable': 'The request could not be read: send from and text, form-encoded or as JSON.',
    'complaints.sms.error.unavailable': 'The category of complaints received by SMS does not exist (SMS_INTAKE_CATEGORY).',
    'complaints.sms.error.internal': 'Something went wrong. Send again later.',
  },
};
