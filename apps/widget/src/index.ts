export { formatAmount, isDecimalString, type Amount } from './format-amount';
